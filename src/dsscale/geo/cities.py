r"""Where the data centres are, and the floor light in fibre puts under a round trip.

City coordinates come from the GeoNames gazetteer (https://www.geonames.org,
Creative Commons Attribution 4.0), rounded to 0.01 degree (about 1 km, or
0.005 ms of light in fibre); they are shipped here and never fetched.

Light in standard single-mode fibre travels at :math:`c / n_g`, with group
index :math:`n_g \approx 1.468` at 1550 nm: about 204 km per millisecond,
roughly two thirds of its speed in vacuum. Over the great-circle distance d
between two cities the round trip therefore takes at least

.. math:: \text{RTT}_{\min} = \frac{2 d}{v}, \qquad v = \frac{c}{n_g}.

Real routes follow coasts, roads and sea cables and pass through switches, so
measured round trips are larger; this is the bound that no software removes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from dsscale._validate import check_float

__all__ = [
    "CITIES",
    "EARTH_RADIUS_KM",
    "FIBRE_KM_PER_MS",
    "great_circle_km",
    "rtt_floor_ms",
    "rtt_matrix_ms",
]

#: (latitude, longitude) in degrees, north and east positive (GeoNames, 0.01°).
CITIES: dict[str, tuple[float, float]] = {
    "London": (51.51, -0.13),
    "Dublin": (53.33, -6.25),
    "Paris": (48.85, 2.35),
    "Frankfurt": (50.12, 8.68),
    "Stockholm": (59.33, 18.06),
    "New York": (40.71, -74.01),
    "Washington": (38.90, -77.04),
    "Chicago": (41.85, -87.65),
    "San Francisco": (37.77, -122.42),
    "Sao Paulo": (-23.55, -46.64),
    "Johannesburg": (-26.20, 28.04),
    "Mumbai": (19.07, 72.88),
    "Singapore": (1.29, 103.85),
    "Tokyo": (35.69, 139.69),
    "Seoul": (37.57, 126.98),
    "Sydney": (-33.87, 151.21),
}

#: Mean radius of the Earth, km (the sphere the haversine formula assumes).
EARTH_RADIUS_KM = 6371.0

#: Speed of light in single-mode fibre, km per ms (vacuum speed / 1.468).
FIBRE_KM_PER_MS = 299_792.458 / 1.468 / 1000.0


def _coordinates(city: str) -> tuple[float, float]:
    if not isinstance(city, str):
        raise TypeError(f"city must be a str, got {type(city).__name__}")
    try:
        return CITIES[city]
    except KeyError:
        raise ValueError(f"city must be one of {', '.join(CITIES)}; got {city!r}"
                         ) from None


def great_circle_km(city_a: str, city_b: str) -> float:
    r"""Great-circle distance between two cities of :data:`CITIES`, in km.

    The haversine formula on a sphere of radius R, for latitudes
    :math:`\varphi` and longitudes :math:`\lambda` in radians:

    .. math:: d = 2R \arcsin\sqrt{\sin^2\frac{\Delta\varphi}{2}
              + \cos\varphi_a \cos\varphi_b \sin^2\frac{\Delta\lambda}{2}}

    Examples
    --------
    >>> round(great_circle_km("London", "New York"))
    5570
    >>> great_circle_km("Tokyo", "Tokyo")
    0.0

    References: R. W. Sinnott, "Virtues of the Haversine", Sky and Telescope
    68(2), 1984.
    """
    lat_a, lon_a = (math.radians(v) for v in _coordinates(city_a))
    lat_b, lon_b = (math.radians(v) for v in _coordinates(city_b))
    h = (math.sin((lat_b - lat_a) / 2) ** 2
         + math.cos(lat_a) * math.cos(lat_b) * math.sin((lon_b - lon_a) / 2) ** 2)
    return 2.0 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


def rtt_floor_ms(city_a: str, city_b: str,
                 km_per_ms: float = FIBRE_KM_PER_MS) -> float:
    r"""Smallest possible round trip between two cities, in ms: :math:`2d/v`.

    ``km_per_ms`` is the signal speed v (default: light in fibre).

    Examples
    --------
    >>> round(rtt_floor_ms("London", "New York"), 1)
    54.6
    """
    speed = check_float("km_per_ms", km_per_ms, 0.0, strict_min=True)
    return 2.0 * great_circle_km(city_a, city_b) / speed


def rtt_matrix_ms(cities: Sequence[str],
                  km_per_ms: float = FIBRE_KM_PER_MS) -> NDArray[np.float64]:
    """Round-trip floors between every pair of ``cities``: symmetric, zero diagonal.

    Entry ``[i, j]`` is :func:`rtt_floor_ms` of ``cities[i]`` and ``cities[j]``.

    Examples
    --------
    >>> rtt_matrix_ms(["Paris", "Frankfurt"]).round(2).tolist()
    [[0.0, 4.69], [4.69, 0.0]]
    """
    if isinstance(cities, str):
        raise TypeError("cities must be a sequence of city names, not one str")
    names = list(cities)
    if not names:
        raise ValueError("cities must name at least one city")
    if len(set(names)) != len(names):
        raise ValueError(f"cities must not repeat a city, got {names}")
    rtt = np.zeros((len(names), len(names)))
    for i, a in enumerate(names):
        for j in range(i + 1, len(names)):
            rtt[i, j] = rtt[j, i] = rtt_floor_ms(a, names[j], km_per_ms)
    return rtt
