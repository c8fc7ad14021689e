"""The inline SVG map and the trend chart are computed on the server."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from apps.portal.charts import trend_chart
from apps.portal.mapsvg import grid_map
from tests.portal.conftest import center


@pytest.mark.django_db
def test_grid_map_projects_every_grid_and_inverts(world):
    data = grid_map()
    assert {s.code for s in data.shapes} == {world.g1.code, world.g2.code, world.g3.code, world.g4.code}
    lat, lng = center(1)
    x, y = data.project(lng, lat)
    # The page's script inverts the projection exactly like this.
    assert data.max_lat - y / data.scale == pytest.approx(lat)
    assert data.min_lng + x / (data.coslat * data.scale) == pytest.approx(lng)
    assert 0 < x < data.width and 0 < y < data.height
    assert {a.code for a in data.areas} == {world.c1.code, world.c2.code}


@pytest.mark.django_db
def test_grid_map_without_grids_is_none(db):
    assert grid_map() is None


def test_trend_chart_scales_to_a_round_maximum():
    days = [SimpleNamespace(day=date(2026, 11, d), submitted=d, resolved=d // 2) for d in range(1, 8)]
    chart = trend_chart(days, submitted_label="s", resolved_label="r")
    assert [v for _y, v in chart.y_ticks] == [0, 2, 4, 6, 8]
    first, last = chart.series[0].points.split()[0], chart.series[0].points.split()[-1]
    assert first.startswith(f"{chart.left:.1f},")
    assert last.startswith(f"{chart.right_edge:.1f},")
    assert trend_chart([], submitted_label="s", resolved_label="r") is None
