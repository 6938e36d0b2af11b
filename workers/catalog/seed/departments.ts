import type { DemoMerchantId } from "#schema/demo-merchants.ts";
import type { Rng } from "./random.ts";

// What the demo shop sells: two levels of categories, each leaf with the words, prices, attributes and
// variant options its products are made of. Different leaves use different attribute keys on purpose.
export type VariantSpec = { title: string; options: Record<string, string> };
export type Leaf = {
  slug: string;
  name: string;
  /** Products named like works (books), not as brand + model. */
  titled?: true;
  /** Who sells the leaf's products: demo merchants (#schema/demo-merchants.ts). */
  merchants: readonly DemoMerchantId[];
  brands: readonly string[];
  nouns: readonly string[];
  qualifiers: readonly string[];
  price: readonly [number, number];
  attributes: (rng: Rng) => Record<string, string>;
  variants: (rng: Rng) => VariantSpec[];
  blurb: readonly string[];
};
export type Department = { slug: string; name: string; leaves: readonly Leaf[] };

const single = (): VariantSpec[] => [{ title: "Standard", options: {} }];
const choose = (rng: Rng, name: string, values: readonly string[], min: number): VariantSpec[] => {
  const start = rng.int(0, Math.max(0, values.length - min));
  return values.slice(start, start + rng.int(min, values.length - start)).map((v) => ({ title: v, options: { [name]: v } }));
};
const COLOURS = ["Black", "White", "Navy", "Forest Green", "Slate Grey", "Burgundy", "Sand"] as const;
const APPAREL_SIZES = ["XS", "S", "M", "L", "XL", "XXL"] as const;
const isbn = (rng: Rng): string => {
  const digits = `978${String(rng.int(0, 999_999_999)).padStart(9, "0")}`;
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(digits[i]) * (i % 2 === 0 ? 1 : 3);
  return `${digits}${(10 - (sum % 10)) % 10}`;
};
const AUTHORS = [
  "Maya Lindqvist",
  "Tomás Herrera",
  "Aiko Tanaka",
  "Ruth Okafor",
  "Daniel Brenner",
  "Priya Raman",
  "Elena Sokolova",
  "Samuel Adeyemi",
];
const PUBLISHERS = ["Harbor House", "Northlight Press", "Quill & Ember", "Meridian Books"];

export const DEPARTMENTS: readonly Department[] = [
  {
    slug: "electronics",
    name: "Electronics",
    leaves: [
      {
        slug: "phones",
        name: "Phones",
        merchants: ["mer_northwind"],
        brands: ["Lumina", "Vertex", "Orbitel", "Nokton"],
        nouns: ["Smartphone", "Phone", "Rugged Phone", "Compact Phone"],
        qualifiers: ["5G", "Pro", "Lite", "Max", "Mini"],
        price: [19_900, 129_900],
        attributes: (rng) => ({
          screen: `${rng.pick(["6.1", "6.4", "6.7", "5.8"])} in`,
          battery: `${rng.int(38, 55) * 100} mAh`,
          network: rng.pick(["5G", "4G LTE"]),
          warranty: `${rng.pick([1, 2])} years`,
        }),
        variants: (rng) => choose(rng, "storage", ["128 GB", "256 GB", "512 GB"], 1),
        blurb: [
          "An all-day battery and a bright, sharp display.",
          "Takes crisp photos even at dusk.",
          "Made to be dropped, rained on and used again.",
        ],
      },
      {
        slug: "laptops",
        name: "Laptops",
        merchants: ["mer_northwind"],
        brands: ["Vertex", "Halcyon", "Kestrel"],
        nouns: ["Laptop", "Ultrabook", "Notebook", "2-in-1 Laptop"],
        qualifiers: ["Air", "Pro 14", "Studio 16", "Go 13"],
        price: [49_900, 249_900],
        attributes: (rng) => ({
          cpu: rng.pick(["8-core", "10-core", "12-core"]),
          memory: `${rng.pick([8, 16, 32])} GB`,
          display: `${rng.pick(["13.3", "14", "15.6", "16"])} in`,
          weight: `${(rng.int(110, 230) / 100).toFixed(2)} kg`,
        }),
        variants: (rng) => choose(rng, "storage", ["256 GB SSD", "512 GB SSD", "1 TB SSD"], 1),
        blurb: ["Light enough to carry everywhere.", "A keyboard you will enjoy writing on.", "Runs cool and quiet under load."],
      },
      {
        slug: "audio",
        name: "Audio",
        merchants: ["mer_northwind", "mer_trailhead"],
        brands: ["Sonora", "Basswood", "Echo Lane", "Lumina"],
        nouns: ["Wireless Earbuds", "Over-Ear Headphones", "Bluetooth Speaker", "Soundbar"],
        qualifiers: ["ANC", "Sport", "Studio", "Mini", "XL"],
        price: [2_900, 39_900],
        attributes: (rng) => ({
          battery: `${rng.int(6, 40)} h`,
          connectivity: rng.pick(["Bluetooth 5.3", "Bluetooth 5.4", "Bluetooth 5.3 + USB-C"]),
          waterproofing: rng.pick(["IPX4", "IP67", "none"]),
        }),
        variants: (rng) => choose(rng, "colour", COLOURS, 1),
        blurb: ["Deep bass without the mud.", "Calls sound clear even on a windy street.", "Pairs in a second with every device you own."],
      },
      {
        slug: "cameras",
        name: "Cameras",
        merchants: ["mer_northwind"],
        brands: ["Fotona", "Kestrel", "Aperture Co."],
        nouns: ["Mirrorless Camera", "Action Camera", "Instant Camera", "Zoom Lens"],
        qualifiers: ["II", "Mark III", "Pro", "Travel"],
        price: [7_900, 219_900],
        attributes: (rng) => ({
          sensor: rng.pick(["APS-C", "Full frame", "1-inch", "Micro Four Thirds"]),
          resolution: `${rng.int(12, 61)} MP`,
          video: rng.pick(["4K 60p", "4K 30p", "6K 30p", "1080p 120p"]),
        }),
        variants: single,
        blurb: [
          "Autofocus that keeps up with children and dogs.",
          "Small enough for a jacket pocket.",
          "Colours straight out of the camera.",
        ],
      },
    ],
  },
  {
    slug: "home-kitchen",
    name: "Home & Kitchen",
    leaves: [
      {
        slug: "cookware",
        name: "Cookware",
        merchants: ["mer_northwind"],
        brands: ["Ironhearth", "Copperleaf", "Casa Viva"],
        nouns: ["Skillet", "Dutch Oven", "Saucepan", "Wok", "Stockpot"],
        qualifiers: ["Cast Iron", "Tri-Ply", "Non-Stick", "Enamelled"],
        price: [1_900, 29_900],
        attributes: (rng) => ({
          material: rng.pick(["cast iron", "stainless steel", "carbon steel", "hard-anodised aluminium"]),
          diameter: `${rng.pick([20, 24, 26, 28, 30])} cm`,
          "induction-ready": rng.pick(["yes", "no"]),
        }),
        variants: single,
        blurb: ["Heats evenly from edge to centre.", "Goes from hob to oven to table.", "Gets better with every meal."],
      },
      {
        slug: "furniture",
        name: "Furniture",
        merchants: ["mer_northwind", "mer_trailhead"],
        brands: ["Oak & Ash", "Nordhem", "Studio Forma"],
        nouns: ["Bookshelf", "Desk", "Armchair", "Side Table", "Bench"],
        qualifiers: ["Solid Oak", "Walnut", "Compact", "Modular"],
        price: [4_900, 89_900],
        attributes: (rng) => ({
          material: rng.pick(["solid oak", "walnut veneer", "birch plywood", "powder-coated steel"]),
          width: `${rng.int(40, 180)} cm`,
          "assembly-required": rng.pick(["yes", "no"]),
        }),
        variants: (rng) => choose(rng, "finish", ["Natural", "Smoked", "White", "Black"], 1),
        blurb: ["Built to outlast three moves.", "Assembles in twenty minutes with one tool.", "Clean lines that suit any room."],
      },
      {
        slug: "lighting",
        name: "Lighting",
        merchants: ["mer_northwind"],
        brands: ["Lumen & Co.", "Glowform", "Nordhem"],
        nouns: ["Desk Lamp", "Floor Lamp", "Pendant Light", "LED Strip"],
        qualifiers: ["Dimmable", "Smart", "Arc", "Mini"],
        price: [1_500, 34_900],
        attributes: (rng) => ({
          voltage: rng.pick(["220-240 V", "100-240 V", "12 V"]),
          wattage: `${rng.int(4, 60)} W`,
          "colour-temperature": `${rng.pick([2700, 3000, 4000])} K`,
        }),
        variants: (rng) => choose(rng, "colour", ["Black", "White", "Brass"], 1),
        blurb: ["Warm light that is easy on the eyes.", "Dims smoothly all the way down.", "Throws light where you need it."],
      },
    ],
  },
  {
    slug: "books",
    name: "Books",
    leaves: [
      {
        slug: "fiction",
        titled: true,
        name: "Fiction",
        merchants: ["mer_pageturner"],
        brands: PUBLISHERS,
        nouns: ["Harbor", "Winter", "Orchard", "Lighthouse", "River", "Garden", "Station"],
        qualifiers: ["The Silent", "The Last", "Beyond the", "A House by the", "The Long"],
        price: [899, 2_999],
        attributes: (rng) => ({
          author: rng.pick(AUTHORS),
          isbn: isbn(rng),
          pages: String(rng.int(180, 720)),
          language: rng.pick(["English", "English", "Spanish"]),
        }),
        variants: (rng) => choose(rng, "format", ["Paperback", "Hardcover", "Large Print"], 1),
        blurb: [
          "A story about what we keep and what we let go.",
          "Impossible to put down after the first chapter.",
          "Funny, sad and true all at once.",
        ],
      },
      {
        slug: "science",
        titled: true,
        name: "Science",
        merchants: ["mer_pageturner"],
        brands: PUBLISHERS,
        nouns: ["Universe", "Genome", "Climate", "Brain", "Ocean", "Atom"],
        qualifiers: ["The Hidden", "A Short History of the", "Inside the", "The Curious"],
        price: [1_299, 4_499],
        attributes: (rng) => ({
          author: rng.pick(AUTHORS),
          isbn: isbn(rng),
          pages: String(rng.int(220, 540)),
          edition: `${rng.int(1, 4)}`,
        }),
        variants: (rng) => choose(rng, "format", ["Paperback", "Hardcover"], 1),
        blurb: [
          "Big ideas explained without the jargon.",
          "Leaves you seeing the world differently.",
          "Every chapter ends with a question worth asking.",
        ],
      },
      {
        slug: "cooking",
        titled: true,
        name: "Cooking",
        merchants: ["mer_pageturner"],
        brands: PUBLISHERS,
        nouns: ["Kitchen", "Table", "Bread", "Spice", "Supper"],
        qualifiers: ["The Weeknight", "Slow", "The Plant-Based", "Simple"],
        price: [1_499, 3_999],
        attributes: (rng) => ({ author: rng.pick(AUTHORS), isbn: isbn(rng), recipes: String(rng.int(60, 180)) }),
        variants: (rng) => choose(rng, "format", ["Hardcover", "Spiral-bound"], 1),
        blurb: ["Recipes that work on a Tuesday night.", "Photographed in real home kitchens.", "Short shopping lists, big flavour."],
      },
    ],
  },
  {
    slug: "sports-outdoors",
    name: "Sports & Outdoors",
    leaves: [
      {
        slug: "camping",
        name: "Camping",
        merchants: ["mer_trailhead"],
        brands: ["Summit Gear", "Ridgeback", "Trailhead"],
        nouns: ["Tent", "Sleeping Bag", "Camp Stove", "Headlamp", "Backpack"],
        qualifiers: ["Ultralight", "4-Season", "Trek", "Basecamp"],
        price: [1_900, 59_900],
        attributes: (rng) => ({
          weight: `${rng.int(150, 4500)} g`,
          "temperature-rating": `${rng.int(-20, 10)} °C`,
          capacity: `${rng.pick([1, 2, 3, 4])} person`,
        }),
        variants: (rng) => choose(rng, "colour", ["Orange", "Olive", "Sky Blue", "Graphite"], 1),
        blurb: [
          "Pitches in the dark in under five minutes.",
          "Shrugs off wind and sideways rain.",
          "Packs down to the size of a water bottle.",
        ],
      },
      {
        slug: "cycling",
        name: "Cycling",
        merchants: ["mer_trailhead"],
        brands: ["Velomax", "Ridgeback", "Spoke & Chain"],
        nouns: ["Helmet", "Bike Light Set", "Saddle", "Cycling Jersey", "Mini Pump"],
        qualifiers: ["Aero", "Gravel", "Commuter", "Race"],
        price: [1_200, 24_900],
        attributes: (rng) => ({ weight: `${rng.int(80, 900)} g`, certification: rng.pick(["EN 1078", "CPSC", "none"]) }),
        variants: (rng) => choose(rng, "size", ["S", "M", "L"], 1),
        blurb: ["Seen from a long way off.", "Comfortable on the fifth hour of a ride.", "Light where it matters."],
      },
      {
        slug: "fitness",
        name: "Fitness",
        merchants: ["mer_trailhead"],
        brands: ["CoreForm", "Ironclad", "Flowstate"],
        nouns: ["Yoga Mat", "Kettlebell", "Resistance Bands", "Jump Rope", "Foam Roller"],
        qualifiers: ["Pro", "Studio", "Travel", "Heavy-Duty"],
        price: [999, 19_900],
        attributes: (rng) => ({ material: rng.pick(["natural rubber", "cast iron", "TPE", "latex"]), weight: `${rng.int(1, 32)} kg` }),
        variants: (rng) => choose(rng, "colour", COLOURS, 1),
        blurb: ["Grippy when you sweat.", "Built for daily use at home or the gym.", "Small enough to take on holiday."],
      },
    ],
  },
  {
    slug: "fashion",
    name: "Fashion",
    leaves: [
      {
        slug: "mens-clothing",
        name: "Men's Clothing",
        merchants: ["mer_trailhead"],
        brands: ["Harbour Line", "Field & Fog", "Northbound"],
        nouns: ["Oxford Shirt", "Chinos", "Merino Sweater", "Rain Jacket", "Crew T-Shirt"],
        qualifiers: ["Classic", "Slim", "Relaxed", "Organic"],
        price: [1_900, 24_900],
        attributes: (rng) => ({
          material: rng.pick(["organic cotton", "merino wool", "recycled polyester", "linen"]),
          fit: rng.pick(["slim", "regular", "relaxed"]),
          care: rng.pick(["machine wash 30 °C", "hand wash"]),
        }),
        variants: (rng) => choose(rng, "size", APPAREL_SIZES, 3),
        blurb: ["Soft from the first wear.", "Holds its shape wash after wash.", "Dresses up or down."],
      },
      {
        slug: "womens-clothing",
        name: "Women's Clothing",
        merchants: ["mer_trailhead"],
        brands: ["Harbour Line", "Juniper", "Field & Fog"],
        nouns: ["Linen Dress", "Wool Coat", "Knit Cardigan", "Wide-Leg Trousers", "Silk Blouse"],
        qualifiers: ["Classic", "Cropped", "Relaxed", "Tailored"],
        price: [2_400, 29_900],
        attributes: (rng) => ({
          material: rng.pick(["linen", "wool blend", "organic cotton", "silk"]),
          fit: rng.pick(["tailored", "regular", "oversized"]),
          care: rng.pick(["machine wash 30 °C", "dry clean only"]),
        }),
        variants: (rng) => choose(rng, "size", APPAREL_SIZES, 3),
        blurb: ["Cut to move with you.", "A piece you will reach for every week.", "Breathes on warm days, layers on cold ones."],
      },
      {
        slug: "shoes",
        name: "Shoes",
        merchants: ["mer_trailhead"],
        brands: ["Stride", "Ridgeback", "Juniper"],
        nouns: ["Trail Runner", "Leather Boot", "Canvas Sneaker", "Hiking Shoe"],
        qualifiers: ["Waterproof", "Everyday", "Lightweight", "Classic"],
        price: [3_900, 22_900],
        attributes: (rng) => ({
          upper: rng.pick(["full-grain leather", "recycled mesh", "canvas", "suede"]),
          sole: rng.pick(["Vibram", "rubber", "EVA foam"]),
          drop: `${rng.int(0, 12)} mm`,
        }),
        variants: (rng) => choose(rng, "size", ["EU 38", "EU 39", "EU 40", "EU 41", "EU 42", "EU 43", "EU 44", "EU 45"], 3),
        blurb: ["Comfortable straight out of the box.", "Grips wet rock and city pavement alike.", "Resoleable, so they last for years."],
      },
    ],
  },
  {
    slug: "toys-games",
    name: "Toys & Games",
    leaves: [
      {
        slug: "board-games",
        name: "Board Games",
        merchants: ["mer_pageturner"],
        brands: ["Meeple Works", "Tabletop Forge", "Gamewright Lane"],
        nouns: ["Strategy Game", "Party Game", "Co-op Adventure", "Card Game"],
        qualifiers: ["Deluxe", "Family", "Expansion", "Travel"],
        price: [1_499, 8_999],
        attributes: (rng) => ({
          players: `${rng.int(1, 2)}-${rng.int(4, 8)}`,
          "playing-time": `${rng.pick([20, 30, 45, 60, 90, 120])} min`,
          "age-rating": `${rng.pick([8, 10, 12, 14])}+`,
        }),
        variants: single,
        blurb: ["Easy to learn, hard to master.", "Every game plays out differently.", "Brings the whole table into the story."],
      },
      {
        slug: "puzzles",
        name: "Puzzles",
        merchants: ["mer_pageturner"],
        brands: ["Piecewise", "Tabletop Forge"],
        nouns: ["Jigsaw Puzzle", "3D Puzzle", "Puzzle Box", "Brain Teaser Set"],
        qualifiers: ["Landscape", "Night Sky", "Vintage Map", "Botanical"],
        price: [999, 4_999],
        attributes: (rng) => ({
          pieces: String(rng.pick([500, 1000, 1500, 2000])),
          "finished-size": `${rng.int(40, 98)} × ${rng.int(30, 70)} cm`,
        }),
        variants: single,
        blurb: ["Thick pieces that click into place.", "A calm evening in a box.", "Artwork worth framing when you are done."],
      },
    ],
  },
];
