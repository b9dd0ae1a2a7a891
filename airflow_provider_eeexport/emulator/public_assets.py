"""The public assets ``--seed-public-assets`` preloads: the ones the examples and tests read.

Types and bands are the catalog's; the emulator holds no pixels, so an ImageCollection is
preloaded with its metadata and no images. A new example reading other public data adds a row.
"""

from __future__ import annotations

from typing import Any

from ..api.assets import IMAGE, IMAGE_COLLECTION, PUBLIC_PROJECT, TABLE

_S2_BANDS = [f"B{n}" for n in ("1", "2", "3", "4", "5", "6", "7", "8", "8A", "9", "11", "12")]
_L8_TOA_BANDS = [f"B{n}" for n in range(1, 12)] + ["QA_PIXEL", "QA_RADSAT"]
# Path under projects/earthengine-public/assets, type, band ids and the asset's time span.
PUBLIC_ASSETS: list[tuple[str, str, list[str], tuple[str, str] | None]] = [
    ("USGS/SRTMGL1_003", IMAGE, ["elevation"], ("2000-02-11T00:00:00Z", "2000-02-22T00:00:00Z")),
    (
        "COPERNICUS/S2_SR_HARMONIZED",
        IMAGE_COLLECTION,
        [*_S2_BANDS, "AOT", "WVP", "SCL", "TCI_R", "TCI_G", "TCI_B", "MSK_CLDPRB", "QA60"],
        ("2017-03-28T00:00:00Z", "2099-01-01T00:00:00Z"),
    ),
    ("ESA/WorldCover/v200/2021", IMAGE, ["Map"], ("2021-01-01T00:00:00Z", "2022-01-01T00:00:00Z")),
    (
        "NOAA/VIIRS/DNB/ANNUAL_V22/2022",
        IMAGE,
        ["average", "average_masked", "cf_cvg", "cvg", "maximum", "median", "minimum"],
        ("2022-01-01T00:00:00Z", "2023-01-01T00:00:00Z"),
    ),
    ("LANDSAT/LC08/C02/T1_TOA", IMAGE_COLLECTION, _L8_TOA_BANDS, None),
    ("USDOS/LSIB_SIMPLE/2017", TABLE, [], None),
]


def public_assets() -> list[dict[str, Any]]:
    """The seeded assets as EarthEngineAsset bodies (for ``POST /_emulator/assets``)."""
    found: list[dict[str, Any]] = []
    for path, asset_type, bands, span in PUBLIC_ASSETS:
        asset: dict[str, Any] = {
            "name": f"projects/{PUBLIC_PROJECT}/assets/{path}",
            "type": asset_type,
            "properties": {"provider": path.split("/")[0]},
        }
        if asset_type == IMAGE:
            asset["bands"] = [{"id": band} for band in bands]
        elif bands:  # a collection's band names, as the catalog lists them
            asset["properties"]["band_names"] = bands
        if span:
            asset["startTime"], asset["endTime"] = span
        found.append(asset)
    return found
