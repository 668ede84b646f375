//! The hand-written part of the demo catalogue: the category tree, the option values and the
//! 48 products a developer sees first.

/// A category; leaves (depth 2) carry what the generator needs to invent products for them.
pub struct Category {
    pub name: &'static str,
    pub slug: &'static str,
    pub description: &'static str,
    pub children: &'static [Category],
    pub leaf: Option<Leaf>,
}

/// What products of a leaf category look like.
pub struct Leaf {
    /// Three letters starting every SKU of the category.
    pub code: &'static str,
    pub options: Options,
    pub materials: &'static [&'static str],
    pub nouns: &'static [&'static str],
    /// Price range in whole dollars.
    pub price: (i64, i64),
}

/// The option types a product varies by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Options {
    SizeColor,
    Color,
    None,
}

const fn node(
    name: &'static str,
    slug: &'static str,
    description: &'static str,
    children: &'static [Category],
) -> Category {
    Category {
        name,
        slug,
        description,
        children,
        leaf: None,
    }
}

const fn leaf(
    name: &'static str,
    slug: &'static str,
    description: &'static str,
    leaf: Leaf,
) -> Category {
    Category {
        name,
        slug,
        description,
        children: &[],
        leaf: Some(leaf),
    }
}

use Options::{Color as C, None as N, SizeColor as SC};

const SHIRTINGS: &[&str] = &["Cotton", "Linen", "Flannel", "Chambray", "Organic Cotton"];
const KNITS: &[&str] = &["Merino", "Lambswool", "Cashmere", "Cotton", "Alpaca"];
const OUTER: &[&str] = &["Waxed Cotton", "Wool", "Nylon", "Canvas", "Recycled Down"];
const BOTTOMS: &[&str] = &["Twill", "Denim", "Corduroy", "Linen", "Stretch Cotton"];

/// Three roots, two levels below each: permalinks like `clothing/men/shirts`.
#[rustfmt::skip]
pub const TREE: &[Category] = &[
    node("Clothing", "clothing", "Everyday clothing made to be worn often and kept for years.", &[
        node("Men", "men", "Shirts, knitwear, outerwear and trousers for men.", &[
            leaf("Shirts", "shirts", "Button-downs and overshirts in woven cotton and linen.",
                Leaf { code: "MSH", options: SC, materials: SHIRTINGS, nouns: &["Oxford Shirt", "Camp Collar Shirt", "Overshirt", "Work Shirt", "Popover Shirt"], price: (48, 98) }),
            leaf("T-Shirts", "t-shirts", "Tees and henleys in heavy and light jersey.",
                Leaf { code: "MTS", options: SC, materials: &["Jersey", "Slub Cotton", "Pima Cotton", "Hemp", "Organic Cotton"], nouns: &["Crew Tee", "Pocket Tee", "Henley", "Long Sleeve Tee", "Raglan Tee"], price: (22, 42) }),
            leaf("Sweaters", "sweaters", "Crewnecks, cardigans and zip knits.",
                Leaf { code: "MSW", options: SC, materials: KNITS, nouns: &["Crewneck", "Shawl Cardigan", "Quarter-Zip", "Cable Knit", "Rollneck"], price: (68, 158) }),
            leaf("Jackets", "jackets", "Chore coats, shells and layers for every season.",
                Leaf { code: "MJK", options: SC, materials: OUTER, nouns: &["Chore Coat", "Trucker Jacket", "Bomber", "Field Jacket", "Vest"], price: (98, 298) }),
            leaf("Pants", "pants", "Chinos, jeans and easy trousers.",
                Leaf { code: "MPA", options: SC, materials: BOTTOMS, nouns: &["Chinos", "Five-Pocket Pants", "Cargo Pants", "Carpenter Pants", "Drawstring Trousers"], price: (58, 128) }),
        ]),
        node("Women", "women", "Tops, knitwear, dresses, outerwear and trousers for women.", &[
            leaf("Tops", "tops", "Blouses, tees and easy shirts.",
                Leaf { code: "WTO", options: SC, materials: &["Silk", "Linen", "Poplin", "Jersey", "Organic Cotton"], nouns: &["Blouse", "Boxy Tee", "Tank", "Wrap Top", "Tunic"], price: (28, 88) }),
            leaf("Sweaters", "sweaters", "Soft knits from cropped crews to long cardigans.",
                Leaf { code: "WSW", options: SC, materials: KNITS, nouns: &["Cardigan", "Mock Neck", "Boyfriend Sweater", "Cropped Crew", "Turtleneck"], price: (64, 168) }),
            leaf("Dresses", "dresses", "Dresses for work, weekends and warm evenings.",
                Leaf { code: "WDR", options: SC, materials: &["Linen", "Silk", "Poplin", "Jersey", "Tencel"], nouns: &["Shirt Dress", "Slip Dress", "Midi Dress", "Wrap Dress", "Smock Dress"], price: (78, 198) }),
            leaf("Jackets", "jackets", "Coats and jackets cut to layer.",
                Leaf { code: "WJK", options: SC, materials: OUTER, nouns: &["Trench Coat", "Car Coat", "Cropped Jacket", "Quilted Jacket", "Anorak"], price: (118, 328) }),
            leaf("Pants", "pants", "Wide legs, straight legs and everything between.",
                Leaf { code: "WPA", options: SC, materials: BOTTOMS, nouns: &["Wide-Leg Trousers", "Straight-Leg Pants", "Joggers", "Pleated Trousers", "Culottes"], price: (58, 138) }),
        ]),
    ]),
    node("Accessories", "accessories", "Bags and cold-weather pieces that finish an outfit.", &[
        node("Bags", "bags", "Backpacks, totes and small leather goods.", &[
            leaf("Backpacks", "backpacks", "Daypacks and travel packs.",
                Leaf { code: "BPK", options: C, materials: &["Waxed Canvas", "Ripstop Nylon", "Cordura", "Recycled Polyester"], nouns: &["Daypack", "Rolltop Backpack", "Laptop Backpack", "Travel Pack"], price: (68, 178) }),
            leaf("Totes", "totes", "Totes, crossbodies and weekenders.",
                Leaf { code: "TOT", options: C, materials: &["Cotton Canvas", "Leather", "Jute", "Waxed Canvas"], nouns: &["Market Tote", "Zip Tote", "Weekender", "Crossbody Bag", "Sling Bag"], price: (38, 148) }),
            leaf("Wallets", "wallets", "Wallets and card holders that last.",
                Leaf { code: "WAL", options: C, materials: &["Full-Grain Leather", "Suede", "Cork", "Waxed Canvas"], nouns: &["Bifold Wallet", "Card Holder", "Zip Wallet", "Coin Pouch"], price: (28, 88) }),
        ]),
        node("Cold Weather", "cold-weather", "Hats, scarves and gloves for the cold months.", &[
            leaf("Hats", "hats", "Beanies and caps.",
                Leaf { code: "HAT", options: C, materials: &["Merino", "Lambswool", "Cotton Twill", "Recycled Fleece"], nouns: &["Beanie", "Watch Cap", "Bucket Hat", "Baseball Cap"], price: (24, 48) }),
            leaf("Scarves", "scarves", "Scarves and wraps in warm fibres.",
                Leaf { code: "SCF", options: C, materials: &["Cashmere", "Lambswool", "Alpaca", "Brushed Cotton"], nouns: &["Scarf", "Wrap", "Snood", "Stole"], price: (38, 98) }),
            leaf("Gloves", "gloves", "Gloves and mittens.",
                Leaf { code: "GLV", options: C, materials: &["Leather", "Merino", "Fleece", "Shearling"], nouns: &["Gloves", "Mittens", "Touchscreen Gloves", "Fingerless Gloves"], price: (28, 78) }),
        ]),
    ]),
    node("Home", "home", "Things for the kitchen and the living room.", &[
        node("Kitchen", "kitchen", "Cookware, mugs and tableware for daily use.", &[
            leaf("Mugs", "mugs", "Mugs and cups, glazed by hand.",
                Leaf { code: "MUG", options: C, materials: &["Stoneware", "Porcelain", "Enamel", "Ceramic"], nouns: &["Mug", "Espresso Cup", "Travel Mug", "Tumbler"], price: (14, 36) }),
            leaf("Cookware", "cookware", "Pans and pots for a lifetime of cooking.",
                Leaf { code: "CKW", options: N, materials: &["Cast Iron", "Carbon Steel", "Stainless Steel", "Enameled Cast Iron"], nouns: &["Skillet", "Dutch Oven", "Saucepan", "Braiser", "Stockpot"], price: (38, 248) }),
            leaf("Tableware", "tableware", "Plates, bowls and platters.",
                Leaf { code: "TBL", options: C, materials: &["Stoneware", "Porcelain", "Olive Wood", "Speckled Ceramic"], nouns: &["Dinner Plates", "Pasta Bowls", "Serving Platter", "Salad Bowl"], price: (28, 128) }),
        ]),
        node("Living", "living", "Blankets, candles and cushions.", &[
            leaf("Blankets", "blankets", "Throws and blankets woven from natural fibres.",
                Leaf { code: "BLK", options: C, materials: &["Wool", "Cotton Waffle", "Alpaca", "Linen"], nouns: &["Throw", "Bed Blanket", "Picnic Blanket", "Travel Blanket"], price: (58, 198) }),
            leaf("Candles", "candles", "Candles poured in small batches.",
                Leaf { code: "CND", options: N, materials: &["Soy Wax", "Beeswax", "Coconut Wax", "Rapeseed Wax"], nouns: &["Candle", "Tin Candle", "Pillar Candle", "Travel Candle"], price: (18, 58) }),
            leaf("Pillows", "pillows", "Cushion covers and pillows.",
                Leaf { code: "PIL", options: C, materials: &["Linen", "Velvet", "Boucle", "Hemp"], nouns: &["Cushion Cover", "Lumbar Pillow", "Floor Cushion", "Bolster"], price: (28, 88) }),
        ]),
    ]),
];

/// A size: option value name, presentation and SKU part.
pub const SIZES: &[(&str, &str)] = &[("s", "S"), ("m", "M"), ("l", "L"), ("xl", "XL")];

/// A color: name, presentation, hex code and SKU part.
pub struct Color {
    pub name: &'static str,
    pub presentation: &'static str,
    pub hex: &'static str,
    pub code: &'static str,
}

const fn color(
    name: &'static str,
    presentation: &'static str,
    hex: &'static str,
    code: &'static str,
) -> Color {
    Color {
        name,
        presentation,
        hex,
        code,
    }
}

pub const COLORS: &[Color] = &[
    color("black", "Black", "#1C1C1C", "BLK"),
    color("white", "White", "#F4F4F0", "WHT"),
    color("navy", "Navy", "#1F2A44", "NVY"),
    color("heather-grey", "Heather Grey", "#A3A3A3", "HGR"),
    color("charcoal", "Charcoal", "#36454F", "CHR"),
    color("olive", "Olive", "#5B6236", "OLV"),
    color("forest", "Forest Green", "#2E4A3A", "FOR"),
    color("burgundy", "Burgundy", "#6D1A36", "BUR"),
    color("rust", "Rust", "#B7472A", "RST"),
    color("sand", "Sand", "#D8C8A8", "SND"),
    color("oatmeal", "Oatmeal", "#E3D9C6", "OAT"),
    color("sky", "Sky Blue", "#8DB6D8", "SKY"),
];

/// How a hand-written product is offered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Offer {
    Active,
    /// On sale: `compare_at_amount` is the regular price, the price is this many percent off.
    Sale(i64),
    /// Available from a date in the future.
    ComingSoon,
    Draft,
    /// Archived, with `discontinue_on` in the past.
    Discontinued,
}

/// A hand-written product. Its options follow its leaf category; `colors` lists the colors it
/// comes in (empty when the category has no color option).
pub struct Product {
    pub name: &'static str,
    pub leaf: &'static str,
    pub also: Option<&'static str>,
    /// Price in cents.
    pub price: i64,
    pub colors: &'static [&'static str],
    pub offer: Offer,
    pub tags: &'static [&'static str],
    pub description: &'static str,
}

const fn p(
    name: &'static str,
    leaf: &'static str,
    price: i64,
    colors: &'static [&'static str],
    tags: &'static [&'static str],
    description: &'static str,
) -> Product {
    Product {
        name,
        leaf,
        also: None,
        price,
        colors,
        offer: Offer::Active,
        tags,
        description,
    }
}

impl Product {
    const fn offer(mut self, offer: Offer) -> Self {
        self.offer = offer;
        self
    }

    const fn also(mut self, leaf: &'static str) -> Self {
        self.also = Some(leaf);
        self
    }
}

const MSH: &str = "clothing/men/shirts";
const MTS: &str = "clothing/men/t-shirts";
const MSW: &str = "clothing/men/sweaters";
const MJK: &str = "clothing/men/jackets";
const MPA: &str = "clothing/men/pants";
const WTO: &str = "clothing/women/tops";
const WSW: &str = "clothing/women/sweaters";
const WDR: &str = "clothing/women/dresses";
const WJK: &str = "clothing/women/jackets";
const WPA: &str = "clothing/women/pants";
const BPK: &str = "accessories/bags/backpacks";
const TOT: &str = "accessories/bags/totes";
const WAL: &str = "accessories/bags/wallets";
const HAT: &str = "accessories/cold-weather/hats";
const SCF: &str = "accessories/cold-weather/scarves";
const GLV: &str = "accessories/cold-weather/gloves";
const MUG: &str = "home/kitchen/mugs";
const CKW: &str = "home/kitchen/cookware";
const TBL: &str = "home/kitchen/tableware";
const BLK: &str = "home/living/blankets";
const CND: &str = "home/living/candles";
const PIL: &str = "home/living/pillows";

#[rustfmt::skip]
pub const PRODUCTS: &[Product] = &[
    p("Oxford Button-Down Shirt", MSH, 6800, &["white", "sky", "navy"], &["cotton", "bestseller"],
      "A soft, heavy Oxford cloth with a button-down collar that rolls just right. Garment-washed so it feels broken in from the first wear."),
    p("Brushed Flannel Overshirt", MSH, 7800, &["rust", "forest", "charcoal"], &["flannel", "layering"],
      "Double-brushed cotton flannel in a roomy overshirt cut, with two chest pockets and horn-effect buttons. Wear it open over a tee or buttoned up on cold mornings."),
    p("Linen Camp Collar Shirt", MSH, 7200, &["sand", "white", "olive"], &["linen", "summer"],
      "Airy European linen, a relaxed boxy fit and a flat camp collar. Made for long, hot days.").offer(Offer::Sale(30)),
    p("Heavyweight Pocket Tee", MTS, 3200, &["white", "black", "heather-grey", "navy"], &["cotton", "bestseller", "basics"],
      "A 240 gsm jersey tee that keeps its shape wash after wash, with a reinforced neck and a single chest pocket.").also(WTO),
    p("Slub Cotton Henley", MTS, 3800, &["oatmeal", "charcoal", "olive"], &["cotton", "basics"],
      "A three-button henley in textured slub jersey. Slightly longer in the body so it stays tucked."),
    p("Merino Crewneck Sweater", MSW, 11800, &["navy", "charcoal", "oatmeal", "forest"], &["merino", "wool", "bestseller"],
      "Extra-fine 18.5 micron merino, fully fashioned and finished with ribbed cuffs and hem. Light enough for the office, warm enough for the weekend.").also(WSW),
    p("Fisherman Cable Knit", MSW, 14800, &["oatmeal", "navy"], &["wool", "heritage"],
      "A chunky lambswool cable knit modelled on the traditional Aran sweater. Dense, warm and a little rugged."),
    p("Waxed Cotton Field Jacket", MJK, 24800, &["olive", "navy"], &["outerwear", "waxed-cotton"],
      "Water-repellent waxed cotton with a corduroy collar, four bellows pockets and a tartan lining. Rewax once a year and it will outlast you."),
    p("Canvas Chore Coat", MJK, 16800, &["rust", "navy", "black"], &["outerwear", "workwear"],
      "The classic French work jacket in 12 oz cotton canvas, with three patch pockets and triple-stitched seams."),
    p("Packable Rain Shell", MJK, 13800, &["black", "olive", "sky"], &["outerwear", "rain"],
      "A fully seam-taped 2.5-layer shell that packs into its own chest pocket. Pit zips keep you cool on the climb.").offer(Offer::ComingSoon),
    p("Slim Stretch Chinos", MPA, 7800, &["sand", "navy", "olive", "black"], &["cotton", "bestseller"],
      "Mid-weight cotton twill with a touch of stretch, a slim tapered leg and a clean finish that works with a blazer or a hoodie."),
    p("Selvedge Straight Jeans", MPA, 12800, &["navy", "black"], &["denim", "heritage"],
      "13.5 oz Japanese selvedge denim, unwashed, in a straight leg that fades to your own shape."),
    p("Silk Button Blouse", WTO, 8800, &["white", "black", "sand"], &["silk"],
      "Washable sandwashed silk in a relaxed blouse with a hidden placket and a curved hem."),
    p("Boxy Organic Tee", WTO, 2800, &["white", "black", "oatmeal", "sky"], &["organic-cotton", "basics", "bestseller"],
      "GOTS-certified organic cotton in a boxy, slightly cropped cut with a sturdy rib collar."),
    p("Linen Wrap Top", WTO, 6800, &["sand", "rust", "white"], &["linen", "summer"],
      "A breezy wrap top in washed linen that ties at the side. Pair it with wide trousers or a slip skirt.").offer(Offer::Sale(25)),
    p("Alpaca Blend Cardigan", WSW, 13800, &["oatmeal", "charcoal", "burgundy"], &["alpaca", "knitwear"],
      "A cloud-soft alpaca and merino blend in a long, relaxed cardigan with deep patch pockets."),
    p("Cashmere Turtleneck", WSW, 16800, &["black", "oatmeal", "burgundy", "heather-grey"], &["cashmere", "knitwear", "bestseller"],
      "Grade-A Mongolian cashmere in a fitted turtleneck, knitted in a fine 12 gauge for a smooth, light layer."),
    p("Washed Linen Shirt Dress", WDR, 12800, &["sand", "navy", "olive"], &["linen", "summer"],
      "A midi shirt dress in stonewashed linen with a removable belt, side pockets and a relaxed collar."),
    p("Bias-Cut Slip Dress", WDR, 14800, &["black", "burgundy", "forest"], &["silk", "evening"],
      "Cut on the bias from heavy silk satin so it moves with you. Adjustable straps and a midi length."),
    p("Smocked Cotton Midi Dress", WDR, 11800, &["white", "sky"], &["cotton", "summer"],
      "A smocked bodice, flutter sleeves and a tiered skirt in crisp cotton poplin.").offer(Offer::Draft),
    p("Classic Trench Coat", WJK, 26800, &["sand", "black"], &["outerwear", "heritage"],
      "Double-breasted, water-resistant cotton gabardine with storm flaps, epaulettes and a full belt."),
    p("Quilted Liner Jacket", WJK, 15800, &["olive", "navy", "black"], &["outerwear", "layering"],
      "Diamond-quilted and filled with recycled insulation, light enough to layer under a coat or wear on its own.").also(MJK),
    p("Wide-Leg Linen Trousers", WPA, 9800, &["sand", "black", "white"], &["linen", "summer"],
      "High-rise trousers in heavy linen with a full wide leg, pressed pleats and an elastic back waist."),
    p("High-Rise Straight Jeans", WPA, 11800, &["navy", "black", "white"], &["denim", "bestseller"],
      "Rigid 12 oz denim in a high-rise straight leg that hits at the ankle. Gets better with every wear."),
    p("Waxed Canvas Rolltop Backpack", BPK, 14800, &["olive", "black", "navy"], &["waxed-canvas", "travel"],
      "A weatherproof rolltop in waxed canvas with leather straps, a padded 15-inch laptop sleeve and a side water-bottle pocket."),
    p("Everyday Daypack", BPK, 8800, &["black", "navy", "rust", "forest"], &["nylon", "bestseller"],
      "Ripstop nylon, a clamshell opening, and just enough pockets. 20 litres that carry like 15."),
    p("Canvas Market Tote", TOT, 3800, &["oatmeal", "navy", "black"], &["canvas", "bestseller"],
      "Heavy cotton canvas with long leather handles and an inside zip pocket. Holds a week of groceries."),
    p("Leather Crossbody Bag", TOT, 12800, &["black", "rust", "sand"], &["leather"],
      "Vegetable-tanned leather crossbody with an adjustable strap, a magnetic flap and room for the essentials.").offer(Offer::Sale(20)),
    p("Canvas Weekender", TOT, 16800, &["olive", "navy"], &["canvas", "travel"],
      "A 40-litre duffel in waxed canvas with a shoe compartment and a detachable shoulder strap.").offer(Offer::Discontinued),
    p("Full-Grain Bifold Wallet", WAL, 6800, &["black", "rust"], &["leather", "gift"],
      "Six card slots and a cash pocket in full-grain leather that darkens beautifully with use."),
    p("Slim Card Holder", WAL, 3800, &["black", "navy", "rust", "forest"], &["leather", "gift", "bestseller"],
      "Four slots and a centre pocket, hand-stitched from a single piece of leather."),
    p("Merino Watch Cap", HAT, 3200, &["black", "navy", "rust", "olive", "heather-grey"], &["merino", "wool", "bestseller"],
      "A ribbed merino beanie with a fold-up cuff. Warm, breathable and not itchy."),
    p("Six-Panel Twill Cap", HAT, 2800, &["navy", "sand", "olive"], &["cotton"],
      "A washed cotton twill cap with an unstructured crown and a brass buckle strap."),
    p("Cashmere Scarf", SCF, 9800, &["charcoal", "oatmeal", "burgundy", "navy"], &["cashmere", "gift"],
      "Brushed pure cashmere, generous enough to wrap twice, finished with a short fringe."),
    p("Lambswool Tartan Scarf", SCF, 5800, &["forest", "burgundy"], &["wool", "heritage", "gift"],
      "Woven in Scotland from soft lambswool in a classic tartan."),
    p("Leather Touchscreen Gloves", GLV, 6800, &["black", "rust"], &["leather", "gift"],
      "Lambskin gloves with a cashmere lining and conductive fingertips for your phone."),
    p("Wool Fleece Mittens", GLV, 3800, &["heather-grey", "rust", "navy"], &["wool"],
      "Boiled wool outer, fleece lining. The warmest thing your hands will wear this winter."),
    p("Stoneware Coffee Mug", MUG, 2400, &["white", "sand", "navy", "forest"], &["stoneware", "bestseller", "gift"],
      "A 12 oz mug thrown and glazed by hand, with a generous handle. Microwave and dishwasher safe."),
    p("Enamel Camp Mug", MUG, 1600, &["white", "navy", "black"], &["enamel", "outdoors"],
      "Classic steel-and-enamel mug with a rolled rim. Goes from the campfire to the desk."),
    p("Insulated Travel Tumbler", MUG, 3200, &["black", "white", "sky"], &["travel"],
      "Double-wall vacuum insulation keeps coffee hot for six hours. Leak-proof lid included.").offer(Offer::ComingSoon),
    p("Cast Iron Skillet 10\"", CKW, 5800, &[], &["cast-iron", "bestseller"],
      "Pre-seasoned 10-inch cast iron skillet with a pour spout on each side. Gets better every time you cook."),
    p("Enameled Dutch Oven 5.5 qt", CKW, 22800, &[], &["cast-iron", "gift"],
      "Heavy enameled cast iron that holds heat for braises, stews and bread. Oven safe to 500 °F."),
    p("Carbon Steel Wok", CKW, 6800, &[], &["carbon-steel"],
      "A 14-inch flat-bottom wok in spun carbon steel with a wooden handle. Season it once, use it forever.").offer(Offer::Sale(15)),
    p("Speckled Pasta Bowls, Set of 4", TBL, 6800, &["white", "sand"], &["stoneware", "gift"],
      "Wide, shallow stoneware bowls with a speckled glaze, sized for pasta, salads and everything in between."),
    p("Olive Wood Serving Board", TBL, 5400, &[], &["wood", "gift"],
      "Carved from a single piece of olive wood; each board has its own grain. Oil now and then."),
    p("Merino Throw Blanket", BLK, 14800, &["oatmeal", "charcoal", "rust"], &["merino", "wool", "gift"],
      "A generous 130 × 180 cm throw woven from fine merino, with a soft brushed finish and whipstitched edges."),
    p("Cedar & Smoke Soy Candle", CND, 3400, &[], &["candle", "gift", "bestseller"],
      "A 60-hour soy wax candle with notes of cedarwood, smoke and vetiver, poured into a reusable amber glass."),
    p("Linen Cushion Cover", PIL, 3800, &["sand", "rust", "olive", "white"], &["linen"],
      "Stonewashed linen cover with a hidden zip. Fits a 50 × 50 cm insert."),
];
