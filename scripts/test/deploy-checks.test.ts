import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { deployPlan, parseDeployArgs } from "../deploy-checks.ts";

const PAYMENTS = "workers/payments/wrangler.toml";
const plan = (...argv: string[]) => deployPlan(parseDeployArgs(argv), PAYMENTS);

describe("a deployment's payment provider", () => {
  it("has no default: a deployment that names none is refused", () => {
    expect(plan().refusals).toEqual([expect.stringContaining("choose the payment provider")]);
  });

  it("is never the test provider unless the operator says so out loud", () => {
    expect(plan("--payment-provider", "test").refusals).toEqual([expect.stringContaining("--allow-test-payments")]);
    expect(plan("--payment-provider", "test", "--allow-test-payments")).toEqual({
      vars: { payments: { PAYMENT_PROVIDER: "test", TEST_PAYMENTS: "on" } },
      refusals: [],
    });
    expect(plan("--payment-provider=bitcoin").refusals).toEqual([expect.stringContaining("not 'bitcoin'")]);
  });

  it("goes to the payments Worker as a var, and only there", () => {
    expect(plan("--payment-provider", "stripe")).toEqual({ vars: { payments: { PAYMENT_PROVIDER: "stripe" } }, refusals: [] });
    expect(plan("--payment-provider=paypal").vars).toEqual({ payments: { PAYMENT_PROVIDER: "paypal" } });
  });

  it("may not be set in the config, where a deploy would take it silently", () => {
    const dir = mkdtempSync(join(tmpdir(), "deploy-checks-"));
    const config = join(dir, "wrangler.toml");
    writeFileSync(config, 'name = "payments"\nmain = "x.ts"\n[vars]\nPAYMENT_PROVIDER = "test"\nTEST_PAYMENTS = "on"\n');
    const refused = deployPlan(parseDeployArgs(["--payment-provider", "stripe"]), config).refusals;
    expect(refused).toHaveLength(2);
    expect(refused.join("\n")).toMatch(/sets PAYMENT_PROVIDER[\s\S]*sets TEST_PAYMENTS/);
  });

  it("the dry-run command refuses before it bundles anything", () => {
    const run = spawnSync(process.execPath, ["scripts/deploy.ts", "--dry-run", "--env", "staging", "--payment-provider", "test"], {
      encoding: "utf8",
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("deploy refused: the test payment provider takes any card number as paid");
    expect(run.stdout).not.toContain("bundle");
  });
});
