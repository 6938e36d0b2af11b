import type { EnvironmentConfig } from "./environment-config.ts";

export type GeneratedWorker = {
  /** The Worker's name in the configs (scripts/workers.ts), e.g. catalog. */
  worker: string;
  config: EnvironmentConfig;
  /** The generated config file. */
  file: string;
  /** The config its top level came from. */
  source: string;
};

/** The Workers a Worker binds (services, tail consumers, other Workers' Durable Object classes), by their names in the configs. */
export function dependenciesOf(worker: GeneratedWorker, all: readonly GeneratedWorker[]): string[] {
  const scripts = [
    ...(worker.config.services ?? []).map((s) => s.service),
    ...(worker.config.tail_consumers ?? []).map((t) => t.service),
    ...(worker.config.durable_objects?.bindings ?? []).flatMap((b) => (b.script_name === undefined ? [] : [b.script_name])),
  ];
  const byScript = new Map(all.map((w) => [w.config.name, w.worker]));
  return [...new Set(scripts.map((s) => byScript.get(s) ?? s))].filter((name) => name !== worker.worker);
}

/**
 * The order to deploy in: a Worker after every Worker it binds, since a Durable Object binding needs its class
 * deployed and a service binding its Worker; among those free to go, internal Workers before the public ones
 * (shoppers and merchants reach the new version last, once everything behind it is new), then in the order of
 * scripts/workers.ts. A Worker binding one that is not deployed here, or a cycle, is refused.
 */
export function deployOrder(workers: readonly GeneratedWorker[]): string[] {
  const names = new Set(workers.map((w) => w.worker));
  const pending = new Map(workers.map((w) => [w.worker, dependenciesOf(w, workers)]));
  for (const [worker, deps] of pending) {
    const unknown = deps.filter((d) => !names.has(d));
    if (unknown.length > 0) throw new Error(`${worker} binds ${unknown.join(", ")}, which this deploy does not deploy`);
  }
  const isPublic = new Map(workers.map((w) => [w.worker, w.config.workers_dev || (w.config.routes ?? []).length > 0]));
  const order: string[] = [];
  while (pending.size > 0) {
    const ready = [...pending].filter(([, deps]) => deps.every((d) => order.includes(d))).map(([name]) => name);
    const next = ready.find((name) => !isPublic.get(name)) ?? ready[0];
    if (next === undefined)
      throw new Error(`these Workers bind each other in a cycle, so none can be deployed first: ${[...pending.keys()].join(", ")}`);
    order.push(next);
    pending.delete(next);
  }
  return order;
}
