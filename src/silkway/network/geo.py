"""Small geodesy helpers (spherical Earth, km)."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

EARTH_RADIUS_KM = 6371.0088


def unit_vectors(lat: NDArray[np.floating], lon: NDArray[np.floating]) -> NDArray[np.float64]:
    """Points on the unit sphere, for chord-distance KD-trees."""
    la, lo = np.radians(lat), np.radians(lon)
    return np.column_stack((np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)))


def chord_to_km(chord: NDArray[np.floating] | float) -> NDArray[np.float64] | float:
    """Great-circle km from a chord length on the unit sphere."""
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.clip(np.asarray(chord) / 2, 0, 1))


def km_to_chord(km: float) -> float:
    """Chord length on the unit sphere for a great-circle distance in km."""
    return float(2 * np.sin(km / (2 * EARTH_RADIUS_KM)))


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance between two points in km."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi, dlmb = p2 - p1, np.radians(lon2 - lon1)
    a = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return float(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a)))


def segment_km(coords: NDArray[np.floating]) -> NDArray[np.float64]:
    """Great-circle length in km of each segment of a (lat, lon) polyline (one fewer than the
    points)."""
    la, lo = np.radians(coords[:, 0]), np.radians(coords[:, 1])
    a = (np.sin(np.diff(la) / 2) ** 2
         + np.cos(la[:-1]) * np.cos(la[1:]) * np.sin(np.diff(lo) / 2) ** 2)
    return np.asarray(2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a)), dtype=np.float64)


def polyline_km(coords: NDArray[np.floating]) -> float:
    """Length of a (lat, lon) polyline in km."""
    if len(coords) < 2:
        return 0.0
    return float(np.sum(segment_km(coords)))
