declare global {
  namespace Cloudflare {
    interface Env extends DurableObjectsEnv {}
  }
}

export {};
