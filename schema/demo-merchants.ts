// The demo shop's merchants: the catalog seed gives them products, the identity seed an organisation and an
// owner account each. Plain demo data, in one place both seeds import (scripts/demo-seeder runs them).
export const DEMO_MERCHANTS = [
  { id: "mer_northwind", name: "Northwind Electronics" },
  { id: "mer_trailhead", name: "Trailhead Outfitters" },
  { id: "mer_pageturner", name: "Page Turner Books & Games" },
] as const;

export type DemoMerchantId = (typeof DEMO_MERCHANTS)[number]["id"];
