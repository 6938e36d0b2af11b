// A deployment names every queue after its environment: the configs' `order-events` is `order-events-staging` in
// staging (scripts/deploy/environment-config.ts). Code that tells queues apart by name asks by the configs' name.

/** Whether a batch's (or a dead letter's) queue is the one the configs call `configured`, in any environment. */
export const isQueue = (actual: string, configured: string): boolean => actual === configured || actual.startsWith(`${configured}-`);
