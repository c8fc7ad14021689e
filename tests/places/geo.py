"""Generated grid files: square cells laid out row by row around Jinan."""

from __future__ import annotations

import json
from pathlib import Path

LNG0, LAT0 = 117.0, 36.6
CELL = 0.002  # degrees, ≈ 180 m × 220 m


def square(col: int, row: int, *, cell: float = CELL) -> list:
    """A closed ring for the cell at (col, row); corners are exact multiples so neighbours share edges."""
    x0, y0 = round(LNG0 + col * cell, 9), round(LAT0 + row * cell, 9)
    x1, y1 = round(x0 + cell, 9), round(y0 + cell, 9)
    return [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]


def cell_center(col: int, row: int) -> tuple[float, float]:
    """(lat, lng) of the middle of a cell."""
    return LAT0 + (row + 0.5) * CELL, LNG0 + (col + 0.5) * CELL


def grid_code(d: int, s: int, c: int, g: int) -> str:
    return f"3701{d + 1:02d}{s + 1:03d}{c + 1:03d}{g + 1:03d}"


def feature(*, code, name, community, subdistrict, district, geometry, **extra) -> dict:
    props = {
        "code": code,
        "name": name,
        "community_code": community[0],
        "community_name": community[1],
        "subdistrict_code": subdistrict[0],
        "subdistrict_name": subdistrict[1],
        "district_code": district[0],
        "district_name": district[1],
        **extra,
    }
    return {"type": "Feature", "properties": props, "geometry": geometry}


def cell_feature(code, name, community, subdistrict, district, col: int, row: int) -> dict:
    """A grid whose boundary is the square cell at (col, row)."""
    return feature(
        code=code,
        name=name,
        community=community,
        subdistrict=subdistrict,
        district=district,
        geometry={"type": "Polygon", "coordinates": [square(col, row)]},
    )


def generate(*, districts=3, subdistricts=3, communities=4, grids=10) -> dict:
    """A FeatureCollection of districts×subdistricts×communities×grids square cells.

    Each community's grids are one row of the layout, so cells of one community
    share edges and the first and last grids of neighbouring rows share corners.
    """
    features = []
    row = 0
    for d in range(districts):
        district = (f"3701{d + 1:02d}", f"第{d + 1}区")
        for s in range(subdistricts):
            subdistrict = (f"{district[0]}{s + 1:03d}", f"{district[1]}第{s + 1}街道")
            for c in range(communities):
                community = (f"{subdistrict[0]}{c + 1:03d}", f"{subdistrict[1]}第{c + 1}社区")
                for g in range(grids):
                    name = f"{community[1]}第{g + 1}网格"
                    features.append(cell_feature(grid_code(d, s, c, g), name, community, subdistrict, district, g, row))
                row += 1
    return {"type": "FeatureCollection", "features": features}


def write(path: Path, collection: dict) -> Path:
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    return path
