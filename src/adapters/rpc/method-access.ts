import type { DescService } from '@bufbuild/protobuf';
import type { ConnectRouter, ServiceImpl } from '@connectrpc/connect';
import type { Scope } from '../../core/config/gateway-config.js';

/** What a call to one RPC method needs: an API key with this scope, or nothing (`public`). */
export type MethodAccess = Scope | 'public';

/** The access of every method of a service, keyed by the generated method names (compile error if one is missing). */
export type ServiceAccess<S extends DescService> = { readonly [M in keyof S['method']]: MethodAccess };

/**
 * The one declaration of which scope each served RPC needs, filled where services are registered.
 * `verify` runs when the router is built, so a method served without a declaration stops the process
 * at boot instead of being served without a key.
 */
export class MethodAccessTable {
  private readonly access = new Map<string, MethodAccess>();

  /** Registers a service on router with each method's access declared beside it. */
  serve<S extends DescService>(
    router: ConnectRouter,
    service: S,
    access: ServiceAccess<S>,
    implementation: Partial<ServiceImpl<S>>,
  ): void {
    for (const method of service.methods) {
      const declared = (access as Record<string, MethodAccess | undefined>)[method.localName];
      if (declared === undefined) throw new Error(`${service.typeName}/${method.name} has no declared scope`);
      this.access.set(`${service.typeName}/${method.name}`, declared);
    }
    router.service(service, implementation);
  }

  /** Runs register (health, reflection) and declares every method it serves public. */
  servePublic(router: ConnectRouter, register: (router: ConnectRouter) => void): void {
    const before = router.handlers.length;
    register(router);
    for (const handler of router.handlers.slice(before))
      this.access.set(`${handler.service.typeName}/${handler.method.name}`, 'public');
  }

  /** The access declared for `package.Service/Method`, or undefined when none was. */
  accessOf(method: string): MethodAccess | undefined {
    return this.access.get(method);
  }

  /** Throws naming the first served method without a declared access. */
  readonly verify = (router: ConnectRouter): void => {
    const missing = router.handlers
      .map((handler) => `${handler.service.typeName}/${handler.method.name}`)
      .filter((method) => !this.access.has(method));
    if (missing.length > 0)
      throw new Error(`RPC methods served without a declared scope: ${missing.join(', ')}`);
  };
}
