package demo

// categorySpec describes how one category of the demo catalogue is generated.
type categorySpec struct {
	name    string
	vendors []string
	kinds   []kind
	// closing is the last sentence of every description in the category.
	closing string
}

// kind is a family of products that share a price band, description style
// and replenishment cycle: titles are every name crossed with every variant.
type kind struct {
	names    []string
	variants []variant
	// sep joins name and variant: " " for "Kenya Nyeri AA Whole Bean 250 g",
	// " – " for "Merino Crew Socks – Charcoal".
	sep    string
	lo, hi int64 // base price band in minor units
	// replenish is the typical days until a customer runs out (0: durable).
	replenish int
	tags      []string
	// lead is the first sentence; %[1]s is the name, %[2]s the vendor.
	lead    string
	details []string
}

// variant is a size, colour, scent or format of a product.
type variant struct {
	label string
	// pct scales the base price (100 when zero), so a 1 kg bag costs more
	// than a 250 g one of the same coffee.
	pct int
	// replenish overrides the kind's cycle for bigger packs (0: the kind's).
	replenish int
}

func colours(labels ...string) []variant {
	vs := make([]variant, len(labels))
	for i, l := range labels {
		vs[i] = variant{label: l}
	}
	return vs
}

// categorySpecs returns the vocabulary of the demo catalogue. It is a
// function rather than a package variable so nothing can alter it.
func categorySpecs() []categorySpec {
	return []categorySpec{
		{
			name:    "Coffee",
			vendors: []string{"Northbound Roasters", "Kaldi & Co.", "Little Owl Coffee"},
			closing: "Packed by hand and shipped within two working days.",
			kinds: []kind{
				{
					names: []string{"Ethiopia Yirgacheffe", "Ethiopia Guji", "Colombia Huila", "Kenya Nyeri AA",
						"Brazil Cerrado", "Guatemala Antigua", "Sumatra Mandheling", "Costa Rica Tarrazú",
						"Rwanda Nyamasheke", "Peru Cajamarca", "Honduras Marcala", "Espresso Blend No. 5",
						"Morning Blend", "Swiss Water Decaf"},
					variants: []variant{{label: "Whole Bean 250 g", replenish: 30}, {label: "Ground for Filter 250 g", replenish: 30},
						{label: "Whole Bean 1 kg", pct: 320, replenish: 90}},
					sep: " ", lo: 890, hi: 1690, replenish: 30, tags: []string{"coffee", "beans"},
					lead: "%[1]s, roasted in small batches by %[2]s.",
					details: []string{"Notes of bergamot, jasmine and stone fruit.", "Notes of milk chocolate, hazelnut and caramel.",
						"A round, syrupy body with a long cocoa finish.", "Bright citrus acidity and a clean, tea-like finish.",
						"Excellent as espresso and forgiving in a French press.", "Grown at altitude and washed at a cooperative station.",
						"Sweet red berries up front, brown sugar as it cools."},
				},
				{
					names: []string{"Paper Filters ×100", "Milk Frothing Jug 350 ml", "Cold Brew Bottle 1 L", "Coffee Scoop",
						"Descaling Tablets ×12"},
					sep: " ", lo: 490, hi: 1990, tags: []string{"brewing", "coffee-gear"},
					lead:    "The %[1]s from %[2]s: a small thing that makes the daily cup easier.",
					details: []string{"Dishwasher safe.", "Made to outlast a thousand brews.", "Sized for a 2–4 cup brewer.", "Plastic-free packaging."},
				},
				{
					names: []string{"Pour-Over Dripper", "Gooseneck Kettle 1 L", "Conical Burr Hand Grinder", "Travel Press",
						"Glass Carafe 600 ml", "Espresso Tamper 58 mm"},
					sep: " ", lo: 2490, hi: 8990, tags: []string{"brewing", "coffee-gear"},
					lead: "%[1]s by %[2]s, built for people who weigh their beans.",
					details: []string{"Precise, even extraction with very little fuss.", "Brushed stainless steel and borosilicate glass.",
						"Comes with a two-year warranty.", "Designed and tested by working baristas."},
				},
			},
		},
		{
			name:    "Tea",
			vendors: []string{"Misty Peak Tea", "Leaf & Kettle", "Tsubaki Tea House"},
			closing: "Packed by hand in plastic-free packaging.",
			kinds: []kind{
				{
					names: []string{"Darjeeling First Flush", "Assam Breakfast", "Earl Grey Blue Flower", "Sencha Fukamushi",
						"Gyokuro Asahi", "Jasmine Pearls", "Tie Guan Yin Oolong", "Dong Ding Oolong", "Lapsang Souchong",
						"Rooibos Vanilla", "Chamomile Blossom", "Peppermint Leaf", "Masala Chai", "Genmaicha",
						"Silver Needle White", "Ceremonial Matcha"},
					variants: []variant{{label: "100 g Pouch"}, {label: "250 g Bag", pct: 210, replenish: 90}},
					sep:      " ", lo: 690, hi: 1890, replenish: 45, tags: []string{"tea", "loose-leaf"},
					lead: "%[1]s, sourced directly from the garden by %[2]s.",
					details: []string{"Steep at 80 °C for two to three minutes.", "Brews three or four infusions from the same leaves.",
						"Malty, brisk and happy with a splash of milk.", "Delicate, floral and naturally sweet.",
						"Harvested by hand in early spring.", "Caffeine-free and calm enough for late evenings."},
				},
				{
					names: []string{"Tea Strainer", "Matcha Whisk", "Double-Walled Glass Cup", "Tea Tin 150 g", "Bamboo Tea Scoop"},
					sep:   " ", lo: 590, hi: 1990, tags: []string{"teaware"},
					lead:    "A %[1]s from %[2]s for everyday brewing.",
					details: []string{"Made by hand, so each one differs a little.", "Fits most mugs and teapots.", "Easy to rinse clean."},
				},
				{
					names: []string{"Cast Iron Teapot 0.8 L", "Glass Teapot with Infuser", "Kyusu Teapot", "Porcelain Gaiwan Set"},
					sep:   " ", lo: 2490, hi: 6490, tags: []string{"teaware", "teapot"},
					lead:    "The %[1]s by %[2]s keeps tea hot through a long conversation.",
					details: []string{"Fine stainless mesh infuser included.", "Glazed inside so flavours never linger.", "Pours without a drip."},
				},
			},
		},
		{
			name:    "Kitchen",
			vendors: []string{"Forge & Field", "Lindqvist Kitchen", "Casa Oliva"},
			closing: "Covered by our no-quibble 60-day return policy.",
			kinds: []kind{
				{
					names:    []string{"Chef's Knife 20 cm", "Santoku Knife 17 cm", "Paring Knife 9 cm", "Bread Knife 23 cm"},
					variants: colours("Walnut Handle", "Black Pakkawood"),
					sep:      " – ", lo: 3990, hi: 12900, tags: []string{"knives", "cutlery"},
					lead: "%[1]s, forged from a single piece of steel by %[2]s.",
					details: []string{"Hand-sharpened to a 15° edge.", "Balanced at the bolster for long prep sessions.",
						"Hardened to 60 HRC and holds its edge for months."},
				},
				{
					names: []string{"Cast Iron Skillet 26 cm", "Carbon Steel Wok 32 cm", "Stainless Saucepan 18 cm",
						"Non-Stick Frying Pan 28 cm", "Copper Sauté Pan 24 cm"},
					sep: " ", lo: 3490, hi: 14900, tags: []string{"cookware"},
					lead: "%[1]s by %[2]s, at home on gas, induction and in the oven.",
					details: []string{"Pre-seasoned and ready to cook.", "Heavy base for even heat without hot spots.",
						"Riveted handle that stays cool on the hob."},
				},
				{
					names:    []string{"Enamelled Dutch Oven 24 cm"},
					variants: colours("Sage", "Cherry", "Cream", "Slate"),
					sep:      " – ", lo: 11900, hi: 17900, tags: []string{"cookware", "dutch-oven"},
					lead:    "%[1]s from %[2]s: slow braises, crusty bread, soups for a crowd.",
					details: []string{"Holds 4.2 litres.", "Oven safe to 260 °C.", "Chip-resistant enamel in and out."},
				},
				{
					names: []string{"Olive Wood Spoon", "Silicone Spatula", "Balloon Whisk", "Kitchen Tongs", "Microplane Grater",
						"Bench Scraper", "Mortar & Pestle"},
					sep: " ", lo: 590, hi: 2490, tags: []string{"utensils"},
					lead:    "A %[1]s from %[2]s that earns its place in the drawer.",
					details: []string{"Dishwasher safe.", "Comfortable in any hand.", "Gentle on non-stick pans."},
				},
				{
					names:    []string{"End-Grain Cutting Board", "Serving Board"},
					variants: colours("Oak", "Walnut", "Acacia"),
					sep:      " – ", lo: 2490, hi: 7990, tags: []string{"boards"},
					lead:    "%[1]s, cut and oiled by %[2]s.",
					details: []string{"Kind to knife edges.", "Finished with food-safe mineral oil.", "Juice groove on one side."},
				},
				{
					names: []string{"Extra Virgin Olive Oil 500 ml", "Aged Balsamic Vinegar 250 ml", "Flaky Sea Salt 250 g",
						"Smoked Paprika 60 g", "Wildflower Honey 400 g"},
					sep: " ", lo: 490, hi: 1990, replenish: 60, tags: []string{"pantry"},
					lead:    "%[1]s, from the pantry of %[2]s.",
					details: []string{"Single estate and traceable to the harvest.", "Nothing added, nothing taken away.", "A cook's everyday staple."},
				},
			},
		},
		{
			name:    "Apparel",
			vendors: []string{"Northfold", "Merino & Moss", "Atelier Brun"},
			closing: "Free exchanges on size within 30 days.",
			kinds: []kind{
				{
					names:    []string{"Merino Crew Socks", "Merino Hiking Socks", "Cotton Ankle Socks"},
					variants: colours("Charcoal", "Oat", "Forest", "Navy", "Rust"),
					sep:      " – ", lo: 1290, hi: 2290, tags: []string{"socks"},
					lead:    "%[1]s by %[2]s: warm in winter, cool in summer.",
					details: []string{"Reinforced heel and toe.", "Knitted in Portugal.", "Machine washable at 30 °C."},
				},
				{
					names:    []string{"Organic Cotton T-Shirt", "Long-Sleeve Tee", "Pocket Tee"},
					variants: colours("Black", "White", "Sand", "Navy", "Olive"),
					sep:      " – ", lo: 1990, hi: 3990, tags: []string{"tops", "t-shirts"},
					lead:    "The %[1]s from %[2]s, cut for a relaxed fit.",
					details: []string{"Heavyweight 220 g organic cotton.", "Pre-shrunk, so it fits after every wash.", "Made in a Fair Wear factory."},
				},
				{
					names:    []string{"Lambswool Sweater", "Merino Cardigan", "Heavyweight Hoodie"},
					variants: colours("Charcoal", "Oat", "Bottle Green", "Navy"),
					sep:      " – ", lo: 6990, hi: 12900, tags: []string{"knitwear"},
					lead:    "%[1]s by %[2]s, the layer you will reach for all winter.",
					details: []string{"Soft against the skin.", "Ribbed cuffs and hem.", "Knitted on vintage machines in Scotland."},
				},
				{
					names:    []string{"Linen Shirt", "Flannel Overshirt", "Oxford Shirt"},
					variants: colours("White", "Sky Blue", "Ecru", "Check"),
					sep:      " – ", lo: 4990, hi: 8990, tags: []string{"shirts"},
					lead:    "A %[1]s from %[2]s that looks better with every wear.",
					details: []string{"Corozo buttons.", "Garment-washed for softness.", "A straight hem to wear untucked."},
				},
				{
					names:    []string{"Ribbed Beanie", "Wool Scarf", "Canvas Tote"},
					variants: colours("Charcoal", "Mustard", "Forest", "Natural"),
					sep:      " – ", lo: 1490, hi: 4990, tags: []string{"accessories"},
					lead:    "%[1]s by %[2]s.",
					details: []string{"One size fits most.", "Recycled fibres.", "Made to be handed down."},
				},
			},
		},
		{
			name:    "Footwear",
			vendors: []string{"Stride Lab", "Kōbō Shoemakers", "Trailmark"},
			closing: "Free returns, and half sizes on request.",
			kinds: []kind{
				{
					names:    []string{"Court Sneaker", "Canvas Low-Top", "Road Running Shoe", "Trail Runner"},
					variants: colours("White", "Black", "Grey", "Navy"),
					sep:      " – ", lo: 5990, hi: 14900, tags: []string{"sneakers"},
					lead:    "The %[1]s by %[2]s, made for long days on your feet.",
					details: []string{"Cushioned, recycled EVA midsole.", "Grippy natural rubber outsole.", "Breathable knitted upper."},
				},
				{
					names:    []string{"Chelsea Boot", "Ridge Hiking Boot", "Classic Work Boot"},
					variants: colours("Brown Leather", "Black Leather", "Tan Suede"),
					sep:      " – ", lo: 9990, hi: 21900, tags: []string{"boots"},
					lead:    "%[1]s by %[2]s, Goodyear-welted and resoleable.",
					details: []string{"Full-grain leather that ages beautifully.", "Waterproof membrane.", "Cork footbed that moulds to your foot."},
				},
				{
					names:    []string{"Wool Slipper", "Leather Sandal", "Recovery Slide"},
					variants: colours("Grey", "Brown", "Black"),
					sep:      " – ", lo: 2990, hi: 7990, tags: []string{"slippers", "sandals"},
					lead:    "%[1]s from %[2]s for the hours off your feet.",
					details: []string{"Soft, supportive footbed.", "Non-slip sole.", "Naturally odour-resistant."},
				},
				{
					names: []string{"Shoe Care Kit", "Cedar Shoe Trees", "Waterproofing Spray 200 ml", "Merino Insoles"},
					sep:   " ", lo: 990, hi: 3990, tags: []string{"shoe-care"},
					lead:    "%[1]s by %[2]s, because good shoes deserve care.",
					details: []string{"Keeps leather supple.", "Absorbs moisture and keeps shape.", "Fits all our shoes."},
				},
			},
		},
		{
			name:    "Outdoor",
			vendors: []string{"Alpenglow Gear", "Fjordline", "Trailmark"},
			closing: "Tested in the Tatra mountains before it reaches you.",
			kinds: []kind{
				{
					names:    []string{"Daypack 22 L", "Trekking Pack 45 L"},
					variants: colours("Moss", "Slate", "Ochre"),
					sep:      " – ", lo: 8990, hi: 17900, tags: []string{"packs"},
					lead:    "The %[1]s by %[2]s carries what a long day needs.",
					details: []string{"Weatherproof recycled nylon.", "Padded, ventilated back panel.", "Hip belt pockets for snacks and a phone."},
				},
				{
					names:    []string{"Roll-Top Dry Bag 20 L", "Hip Pack 3 L"},
					variants: colours("Moss", "Slate", "Ochre"),
					sep:      " – ", lo: 1990, hi: 4990, tags: []string{"packs", "bags"},
					lead:    "%[1]s from %[2]s.",
					details: []string{"Welded seams keep water out.", "Packs down to nothing.", "Reflective details for dusk."},
				},
				{
					names: []string{"Ultralight Tent 2P", "Down Sleeping Bag −5 °C"},
					sep:   " ", lo: 19900, hi: 34900, tags: []string{"camping", "shelter"},
					lead:    "The %[1]s by %[2]s, for nights under a big sky.",
					details: []string{"Under 1.5 kg packed.", "Pitches in three minutes.", "Responsibly sourced materials throughout."},
				},
				{
					names: []string{"Self-Inflating Mat", "Camping Hammock", "Trekking Poles (Pair)", "Camp Chair"},
					sep:   " ", lo: 3990, hi: 8990, tags: []string{"camping"},
					lead:    "%[1]s by %[2]s: small comforts that make camp feel like home.",
					details: []string{"Packs into its own stuff sack.", "Rated for 120 kg.", "Aluminium frame, replaceable parts."},
				},
				{
					names:    []string{"Rain Shell Jacket", "Insulated Vest"},
					variants: colours("Moss", "Slate", "Ochre"),
					sep:      " – ", lo: 8990, hi: 19900, tags: []string{"outerwear"},
					lead:    "The %[1]s by %[2]s shrugs off sideways rain.",
					details: []string{"Fully taped seams.", "Packs into its own pocket.", "PFC-free water repellency."},
				},
				{
					names: []string{"Titanium Spork", "Enamel Camp Mug", "Headlamp 400 lm", "Insulated Bottle 750 ml",
						"Stainless Camp Stove", "Trail First-Aid Kit", "Folding Knife", "Compact Binoculars 8×32", "Water Filter Straw",
						"Solar Lantern"},
					sep: " ", lo: 790, hi: 5990, tags: []string{"camping", "essentials"},
					lead:    "The %[1]s from %[2]s belongs in every pack.",
					details: []string{"Weighs next to nothing.", "Built to survive being dropped on rocks.", "Lifetime guarantee."},
				},
			},
		},
		{
			name:    "Beauty",
			vendors: []string{"Fern & Salt", "Maison Lumière", "Blue Cove Botanics"},
			closing: "Vegan, cruelty-free and never tested on animals.",
			kinds: []kind{
				{
					names: []string{"Hydrating Face Serum 30 ml", "Daily Moisturiser 50 ml", "Gentle Foaming Cleanser 150 ml",
						"Vitamin C Serum 30 ml", "Mineral Sunscreen SPF 50", "Overnight Repair Cream 50 ml", "Kaolin Clay Mask 75 ml",
						"Rose Facial Toner 200 ml"},
					sep: " ", lo: 1490, hi: 4490, replenish: 60, tags: []string{"skincare"},
					lead: "%[1]s by %[2]s, formulated for sensitive skin.",
					details: []string{"With hyaluronic acid and niacinamide.", "Fragrance-free and dermatologist tested.",
						"Absorbs quickly without a greasy feel.", "Lasts about two months of daily use."},
				},
				{
					names: []string{"Shea Body Butter 200 ml", "Sea Salt Body Scrub", "Hand Cream 75 ml", "Solid Shampoo Bar",
						"Nourishing Hair Oil 50 ml"},
					variants: colours("Lavender", "Neroli", "Unscented", "Cedar & Sage"),
					sep:      " – ", lo: 690, hi: 2690, replenish: 45, tags: []string{"bodycare"},
					lead:    "%[1]s from %[2]s.",
					details: []string{"Cold-processed in small batches.", "Rich in plant oils and butters.", "Plastic-free and travel friendly."},
				},
				{
					names: []string{"Jade Face Roller", "Bamboo Hairbrush", "Konjac Sponge", "Gua Sha Stone"},
					sep:   " ", lo: 890, hi: 2990, tags: []string{"beauty-tools"},
					lead:    "A %[1]s by %[2]s for a slower morning routine.",
					details: []string{"Naturally antibacterial.", "Comes in a cotton pouch.", "Kind to skin and scalp."},
				},
			},
		},
		{
			name:    "Home",
			vendors: []string{"Nordhaus", "Terra Studio", "Lumen & Wick"},
			closing: "Ships carefully packed in recycled cardboard.",
			kinds: []kind{
				{
					names:    []string{"Soy Candle 200 g", "Reed Diffuser 100 ml"},
					variants: colours("Fig & Cedar", "Sea Salt & Sage", "Amber Smoke", "White Tea", "Pine Forest"),
					sep:      " – ", lo: 1690, hi: 3490, replenish: 60, tags: []string{"fragrance", "candles"},
					lead:    "%[1]s by %[2]s.",
					details: []string{"Burns cleanly for around 45 hours.", "Hand-poured with a cotton wick.", "Scents a room within minutes."},
				},
				{
					names:    []string{"Linen Cushion Cover 50×50", "Waffle Bath Towel"},
					variants: colours("Sage", "Terracotta", "Natural", "Charcoal"),
					sep:      " – ", lo: 1990, hi: 3990, tags: []string{"textiles"},
					lead:    "%[1]s from %[2]s.",
					details: []string{"Stonewashed European linen.", "Softer with every wash.", "OEKO-TEX certified."},
				},
				{
					names:    []string{"Chunky Knit Throw", "Linen Duvet Cover 200×200", "Wool Rug 120×180"},
					variants: colours("Sage", "Terracotta", "Natural", "Charcoal"),
					sep:      " – ", lo: 7990, hi: 19900, tags: []string{"textiles"},
					lead:    "The %[1]s by %[2]s makes a room feel finished.",
					details: []string{"Woven by a family mill.", "Natural fibres only.", "Made to last decades."},
				},
				{
					names: []string{"Stoneware Vase", "Ceramic Planter 15 cm", "Oak Wall Shelf", "Rattan Pendant Shade",
						"Brass Table Lamp", "Round Wall Mirror 60 cm"},
					sep: " ", lo: 2490, hi: 12900, tags: []string{"decor"},
					lead:    "A %[1]s from %[2]s.",
					details: []string{"Thrown and glazed by hand.", "Each piece is unique.", "Fixings included."},
				},
			},
		},
		{
			name:    "Books",
			vendors: []string{"Ember Press", "Longshore Books", "Quill & Field"},
			closing: "Every book ships in a padded, plastic-free mailer.",
			kinds: []kind{
				{
					names: []string{"The Slow Kitchen", "Coffee Atlas", "A Year of Tea", "Walking the High Fells", "The Mindful Garden",
						"Small Spaces, Big Ideas", "Sourdough Sundays", "The Wild Pantry", "Trail Notes", "Quiet Rooms",
						"The Fermentation Handbook", "Notes from a Coastal Town", "Dogs of the North", "Cast Iron Every Day",
						"Nightfall on the Fjord"},
					variants: []variant{{label: "Hardcover"}, {label: "Paperback", pct: 60}},
					sep:      " – ", lo: 2490, hi: 3490, tags: []string{"books"},
					lead: "%[1]s, published by %[2]s.",
					details: []string{"Beautifully photographed and full of ideas you will actually use.",
						"A bestseller in its first month.", "Written with warmth, wit and a great deal of practical wisdom.",
						"Includes more than a hundred recipes.", "Shortlisted for the Nordic Book Prize."},
				},
			},
		},
		{
			name:    "Pets",
			vendors: []string{"Good Boy Provisions", "Whisker & Tail", "Pawsome Outdoors"},
			closing: "Vet approved, and loved by our office pets.",
			kinds: []kind{
				{
					names: []string{"Grain-Free Dog Food Salmon", "Adult Dog Food Lamb & Rice", "Puppy Food Chicken",
						"Senior Dog Food Turkey"},
					variants: []variant{{label: "2 kg"}, {label: "6 kg", pct: 250, replenish: 75}},
					sep:      " ", lo: 1490, hi: 2490, replenish: 30, tags: []string{"dog", "pet-food"},
					lead:    "%[1]s by %[2]s, complete and balanced.",
					details: []string{"Made with 70% fresh meat.", "No artificial colours or preservatives.", "Gentle on sensitive tummies."},
				},
				{
					names: []string{"Tuna Pâté Cat Food 12×85 g", "Indoor Cat Dry Food 1.5 kg", "Kitten Dry Food 1.5 kg"},
					sep:   " ", lo: 1290, hi: 2290, replenish: 30, tags: []string{"cat", "pet-food"},
					lead:    "%[1]s from %[2]s.",
					details: []string{"High in protein, low in fillers.", "Supports healthy digestion.", "Picky-eater approved."},
				},
				{
					names: []string{"Dental Chews ×28", "Liver Training Treats", "Freeze-Dried Chicken Bites", "Catnip Crunchies"},
					sep:   " ", lo: 490, hi: 1290, replenish: 21, tags: []string{"treats", "pet-food"},
					lead:    "%[1]s by %[2]s: a reward worth sitting for.",
					details: []string{"Single-ingredient and natural.", "Resealable pouch.", "Small enough for training sessions."},
				},
				{
					names: []string{"Rope Tug Toy", "Feather Teaser Wand", "Squeaky Hedgehog", "Rubber Fetch Ball", "Snuffle Mat",
						"Ball Launcher"},
					sep: " ", lo: 590, hi: 1490, tags: []string{"toys"},
					lead:    "The %[1]s from %[2]s, built for enthusiastic play.",
					details: []string{"Non-toxic materials.", "Tough enough for strong chewers.", "Machine washable."},
				},
				{
					names: []string{"Reflective Dog Leash 2 m", "Ceramic Food Bowl", "Travel Water Bottle"},
					sep:   " ", lo: 1290, hi: 2990, tags: []string{"pet-gear"},
					lead:    "A %[1]s by %[2]s.",
					details: []string{"Easy to clean.", "Dishwasher safe where it matters.", "Tested on hundreds of walks."},
				},
				{
					names: []string{"Padded Dog Harness", "Orthopaedic Dog Bed", "Cat Scratching Post", "Soft Cat Carrier"},
					sep:   " ", lo: 2990, hi: 8990, tags: []string{"pet-gear"},
					lead:    "The %[1]s by %[2]s.",
					details: []string{"Sized for small to large breeds.", "Removable, washable cover.", "Designed with a veterinary behaviourist."},
				},
			},
		},
	}
}
