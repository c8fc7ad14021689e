"""Boundary parsing, shape comparison and distances (no database)."""

import math

import pytest
from shapely.geometry import Point, Polygon

from apps.places.geometry import (
    BoundaryError,
    degrees_box,
    distance_m,
    parse_boundary,
    same_shape,
    to_local_metres,
)

SQUARE = [[117.0, 36.6], [117.002, 36.6], [117.002, 36.602], [117.0, 36.602], [117.0, 36.6]]


def test_a_polygon_and_a_multipolygon_are_read():
    assert parse_boundary({"type": "Polygon", "coordinates": [SQUARE]}).geom_type == "Polygon"
    multi = parse_boundary({"type": "MultiPolygon", "coordinates": [[SQUARE]]})
    assert multi.geom_type == "MultiPolygon"


@pytest.mark.parametrize(
    ("geometry", "field", "problem_start"),
    [
        (None, "geometry", "missing geometry"),
        ({"type": "Point", "coordinates": [117.0, 36.6]}, "geometry.type", "geometry type 'Point' is not allowed"),
        ({"type": "Polygon", "coordinates": [[[117.0, 36.6], [117.1, 36.6]]]}, "geometry.coordinates", "cannot read"),
        ({"type": "Polygon", "coordinates": "nope"}, "geometry.coordinates", "cannot read"),
        (
            {"type": "Polygon", "coordinates": [[[36.6, 117.0], [36.6, 117.002], [36.602, 117.002], [36.6, 117.0]]]},
            "geometry.coordinates",
            "coordinates outside WGS84",
        ),
        (
            {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
            "geometry",
            "self-intersecting polygon: Self-intersection[0.5 0.5]",
        ),
    ],
)
def test_bad_boundaries_are_refused_with_the_field_and_a_fix(geometry, field, problem_start):
    with pytest.raises(BoundaryError) as caught:
        parse_boundary(geometry)
    assert caught.value.problem.field == field
    assert caught.value.problem.problem.startswith(problem_start)
    assert caught.value.problem.fix


def test_swapped_coordinates_get_the_swap_hint():
    with pytest.raises(BoundaryError) as caught:
        parse_boundary({"type": "Polygon", "coordinates": [[[y, x] for x, y in SQUARE]]})
    assert caught.value.problem.fix == "GeoJSON order is [longitude, latitude]; swap them"


def test_same_shape_ignores_ring_start_and_orientation():
    a = Polygon(SQUARE)
    b = Polygon(list(reversed(SQUARE[1:] + SQUARE[1:2])))
    assert same_shape(a, b)
    assert not same_shape(a, Polygon([[x + 1e-6, y] for x, y in SQUARE]))
    assert same_shape(None, None)
    assert not same_shape(a, None)


def test_local_metres_agree_with_haversine_within_a_metre():
    lng0, lat0 = 117.0, 36.6
    target = Point(117.004, 36.603)
    projected = to_local_metres(target, lng0=lng0, lat0=lat0)
    planar = math.hypot(projected.x, projected.y)
    assert abs(planar - distance_m(lng1=lng0, lat1=lat0, lng2=117.004, lat2=36.603)) < 1.0
    assert round(distance_m(lng1=117.0, lat1=36.6, lng2=117.0, lat2=36.601), 1) == 111.2


def test_degrees_box_contains_the_radius():
    minx, miny, maxx, maxy = degrees_box(lng=117.0, lat=36.6, metres=500)
    for lng, lat in ((maxx, 36.6), (minx, 36.6), (117.0, miny), (117.0, maxy)):
        assert distance_m(lng1=117.0, lat1=36.6, lng2=lng, lat2=lat) == pytest.approx(500, abs=0.5)
