"""A synthetic catalogue: wines (winery x varietal x vintage x bottle size), gifts and accessories."""

from __future__ import annotations

import random
from collections.abc import Iterator
from decimal import Decimal

from oms_core.domain.money import money
from oms_core.domain.products import Product

# (name, SKU code, tier): the tier scales prices, so a few houses are expensive and most are not.
WINERIES: tuple[tuple[str, str, float], ...] = (
    ("Stonebridge Cellars", "STB", 1.0),
    ("Willow Creek", "WLC", 0.85),
    ("Ravenswood Hill", "RVH", 1.2),
    ("Copper Lane", "CPL", 0.9),
    ("Alder Ridge", "ALR", 1.1),
    ("Bellwether Estate", "BWE", 1.6),
    ("Cask & Barrel", "CKB", 0.75),
    ("Dry Creek Terrace", "DCT", 1.05),
    ("Eagle Point", "EGP", 0.95),
    ("Foxhollow", "FXH", 1.3),
    ("Glen Ellen Vineyards", "GEV", 1.15),
    ("Harvest Moon", "HVM", 0.8),
    ("Iron Gate", "IRG", 1.4),
    ("Juniper Hills", "JNH", 0.9),
    ("Kestrel Vintners", "KSV", 1.25),
    ("Laurel Canyon", "LRC", 1.0),
    ("Mission Bell", "MSB", 0.7),
    ("North Slope", "NSL", 1.1),
    ("Oak Knoll Estate", "OKE", 1.8),
    ("Pebble Beach Cellars", "PBC", 1.5),
    ("Quail Run", "QLR", 0.85),
    ("Red Tail Ranch", "RTR", 0.95),
    ("Sutter Flats", "STF", 0.8),
    ("Tall Pines", "TLP", 0.9),
    ("Upper Bench", "UPB", 1.35),
    ("Valley Oak", "VLO", 1.0),
    ("Westerly", "WST", 1.2),
    ("Yellow Jacket", "YLJ", 0.75),
    ("Zephyr Hill", "ZPH", 1.1),
    ("Blackbird Vineyards", "BBV", 2.2),
    ("Cedar Post", "CDP", 0.85),
    ("Domaine Laurent", "DML", 1.9),
    ("Elk Cove Road", "ECR", 1.05),
    ("Granite Springs", "GRS", 0.95),
    ("Heron Bay", "HRB", 1.0),
    ("Larkmead Road", "LMR", 1.45),
    ("Maple Hollow", "MPH", 0.8),
    ("Old Vine Co.", "OVC", 1.15),
    ("Pacific Rim Cellars", "PRC", 0.9),
    ("Silver Fern", "SVF", 1.25),
)

# (name, SKU code, base price of a 750 ml bottle in dollars)
VARIETALS: tuple[tuple[str, str, float], ...] = (
    ("Cabernet Sauvignon", "CAB", 38),
    ("Merlot", "MER", 24),
    ("Pinot Noir", "PN", 32),
    ("Zinfandel", "ZIN", 26),
    ("Syrah", "SYR", 28),
    ("Petite Sirah", "PS", 27),
    ("Malbec", "MAL", 22),
    ("Cabernet Franc", "CF", 30),
    ("Grenache", "GRE", 28),
    ("Tempranillo", "TEM", 24),
    ("Sangiovese", "SAN", 26),
    ("Nebbiolo", "NEB", 52),
    ("Barbera", "BAR", 22),
    ("Red Blend", "RB", 25),
    ("Bordeaux Blend", "BDX", 46),
    ("Chardonnay", "CH", 24),
    ("Sauvignon Blanc", "SB", 18),
    ("Riesling", "RIE", 17),
    ("Pinot Gris", "PG", 18),
    ("Viognier", "VIO", 22),
    ("Chenin Blanc", "CHB", 19),
    ("Gewurztraminer", "GEW", 19),
    ("Albarino", "ALB", 21),
    ("Rose of Pinot Noir", "ROS", 16),
    ("Brut Sparkling", "BRT", 30),
    ("Blanc de Blancs", "BDB", 36),
    ("Late Harvest Riesling", "LHR", 28),
    ("Tawny Port", "PRT", 35),
)
VINTAGES: tuple[int, ...] = tuple(range(2012, 2024))
LATEST_VINTAGE = VINTAGES[-1]

# (SKU suffix, name suffix, price factor, shipping weight in pounds)
SIZES: tuple[tuple[str, str, float, str], ...] = (
    ("", "", 1.0, "3.1"),
    ("-MAG", " (1.5 L)", 2.1, "6.4"),
    ("-375", " (375 ml)", 0.55, "1.8"),
)

# (SKU, name, price, weight lb, taxable, backorder allowed)
GIFTS: tuple[tuple[str, str, str, str, bool, bool], ...] = (
    ("GIFT-BOX-1", "Single Bottle Gift Box", "8.50", "0.6", True, True),
    ("GIFT-BOX-2", "Two Bottle Gift Box", "12.00", "0.9", True, True),
    ("GIFT-CRATE-3", "Three Bottle Wooden Crate", "28.00", "4.0", True, False),
    ("GIFT-BSK-CHEESE", "Cheese & Charcuterie Basket", "79.00", "6.5", True, True),
    ("GIFT-BSK-CHOC", "Chocolate Lovers Basket", "59.00", "3.0", True, True),
    ("GIFT-BSK-PICNIC", "Picnic Basket for Two", "129.00", "9.0", True, True),
    ("GIFT-CARD-25", "Gift Card $25", "25.00", "0.05", False, True),
    ("GIFT-CARD-50", "Gift Card $50", "50.00", "0.05", False, True),
    ("GIFT-CARD-100", "Gift Card $100", "100.00", "0.05", False, True),
    ("GIFT-WRAP", "Gift Wrap Service", "6.00", "0.2", True, True),
    ("GIFT-TOTE", "Insulated Wine Tote", "24.00", "1.0", True, False),
    ("GIFT-CANDLE", "Oak Barrel Candle", "22.00", "1.2", True, False),
    ("GIFT-TRUFFLES", "Dark Chocolate Truffles (12)", "18.00", "0.6", True, False),
    ("GIFT-OLIVE-OIL", "Estate Olive Oil 500 ml", "26.00", "2.0", True, False),
    ("GIFT-ATLAS", "World Atlas of Wine", "60.00", "5.5", True, True),
    ("GIFT-MAP", "Wine Regions Map Print", "35.00", "0.8", True, False),
)
ACCESSORIES: tuple[tuple[str, str, str, str, bool, bool], ...] = (
    ("ACC-CORK-WAITER", "Waiter's Corkscrew", "14.00", "0.3", True, False),
    ("ACC-CORK-LEVER", "Lever Corkscrew", "49.00", "1.5", True, False),
    ("ACC-OPENER-ELEC", "Electric Wine Opener", "39.00", "1.2", True, True),
    ("ACC-DECANTER", "Crystal Decanter", "65.00", "3.5", True, True),
    ("ACC-AERATOR", "Wine Aerator", "24.00", "0.4", True, False),
    ("ACC-STOPPER-2", "Vacuum Wine Stoppers (2)", "12.00", "0.2", True, False),
    ("ACC-PRESERVER", "Argon Wine Preserver", "19.00", "0.6", True, False),
    ("ACC-GLASS-RED-4", "Red Wine Glasses (set of 4)", "48.00", "4.0", True, True),
    ("ACC-GLASS-WHITE-4", "White Wine Glasses (set of 4)", "44.00", "3.6", True, True),
    ("ACC-FLUTE-4", "Champagne Flutes (set of 4)", "46.00", "3.4", True, True),
    ("ACC-CHILLER", "Marble Wine Chiller", "34.00", "4.5", True, False),
    ("ACC-RACK-12", "12-Bottle Wine Rack", "69.00", "9.0", True, True),
    ("ACC-RACK-WALL", "Wall-Mounted Wine Rack", "89.00", "7.0", True, True),
    ("ACC-FRIDGE-18", "18-Bottle Wine Fridge", "399.00", "48.0", True, True),
    ("ACC-THERMOMETER", "Wine Thermometer", "16.00", "0.2", True, False),
    ("ACC-POURER-4", "Drip-Free Pourers (4)", "9.00", "0.2", True, False),
    ("ACC-FOIL-CUTTER", "Foil Cutter", "8.00", "0.1", True, False),
    ("ACC-CHARMS", "Wine Glass Charms", "10.00", "0.1", True, False),
    ("ACC-ICE-BUCKET", "Stainless Ice Bucket", "55.00", "3.0", True, False),
    ("ACC-JOURNAL", "Tasting Journal", "18.00", "0.7", True, False),
    ("ACC-ICE-SLEEVE", "Rapid Ice Wine Sleeve", "15.00", "0.3", True, False),
    ("ACC-CARRIER-6", "6-Bottle Carrier", "29.00", "1.5", True, False),
)

GIFT_SHARE = 0.08
ACCESSORY_SHARE = 0.07
INACTIVE_SHARE = 0.03


def build_catalogue(rng: random.Random, count: int, taken: set[str]) -> list[Product]:
    """``count`` new products whose SKUs are not in ``taken`` (which gains them), ids unset.

    About 8 % gifts and 7 % accessories (as many as the fixed lists allow), the rest wines drawn
    from every winery x varietal x vintage x size without repeats.
    """
    wanted_gifts = round(count * GIFT_SHARE)
    wanted_accessories = round(count * ACCESSORY_SHARE)
    items: list[Product] = []
    for templates, wanted in ((GIFTS, wanted_gifts), (ACCESSORIES, wanted_accessories)):
        for sku, name, price, weight, taxable, backorder in templates:
            if len(items) >= count or wanted <= 0:
                break
            if sku in taken:
                continue
            taken.add(sku)
            wanted -= 1
            stock = 10_000 if sku.startswith("GIFT-CARD") else rng.randint(0, 150)
            items.append(
                Product(
                    None,
                    sku,
                    name,
                    money(price),
                    taxable,
                    Decimal(weight),
                    stock,
                    backorder,
                    active=rng.random() >= INACTIVE_SHARE / 2,
                    discountable=not sku.startswith("GIFT-CARD"),  # a gift card costs its face value
                )
            )
    wines = _wines(rng, taken)
    while len(items) < count:
        items.append(next(wines))
    rng.shuffle(items)
    return items


def _wines(rng: random.Random, taken: set[str]) -> Iterator[Product]:
    """Wines in a seeded random order of the whole combination space, skipping taken SKUs; once the
    space is used up, further lots of the same wines (``-L2``, ``-L3``...).
    """
    space = len(WINERIES) * len(VARIETALS) * len(VINTAGES) * len(SIZES)
    order = list(range(space))
    rng.shuffle(order)
    lot = 1
    while True:
        for index in order:
            index, size_i = divmod(index, len(SIZES))
            index, vintage_i = divmod(index, len(VINTAGES))
            winery_i, varietal_i = divmod(index, len(VARIETALS))
            winery, winery_code, tier = WINERIES[winery_i]
            varietal, varietal_code, base = VARIETALS[varietal_i]
            vintage = VINTAGES[vintage_i]
            size_code, size_name, factor, weight = SIZES[size_i]
            sku = f"{winery_code}-{varietal_code}-{vintage % 100:02d}{size_code}"
            name = f"{winery} {varietal} {vintage}{size_name}"
            if lot > 1:
                sku, name = f"{sku}-L{lot}", f"{name} Lot {lot}"
            if sku in taken:
                continue
            taken.add(sku)
            age = LATEST_VINTAGE - vintage
            dollars = base * tier * factor * (1 + 0.035 * age) * rng.uniform(0.92, 1.08)
            price = money(int(dollars) + Decimal("0.99"))
            large = bool(size_code == "-MAG")
            stock = 0 if rng.random() < 0.08 else rng.randint(1, 24 if large else 360)
            yield Product(
                None,
                sku,
                name,
                price,
                True,
                Decimal(weight),
                stock,
                allow_backorder=rng.random() < 0.12,
                # Old vintages sell out and are retired: those are the inactive ones.
                active=not (age >= 8 and rng.random() < INACTIVE_SHARE * 3),
            )
        lot += 1
