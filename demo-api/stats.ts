/** Request counters per route and per status, overall and per actor (the e-mail a request acts for). */
export class RequestStats {
  readonly startedAt = new Date().toISOString();
  private readonly overall = new Map<string, Map<number, number>>();
  private readonly byActor = new Map<string, Map<string, Map<number, number>>>();

  record(route: string, status: number, actor: string | undefined): void {
    increment(this.overall, route, status);
    if (actor === undefined) return;
    let routes = this.byActor.get(actor);
    if (!routes) {
      routes = new Map();
      this.byActor.set(actor, routes);
    }
    increment(routes, route, status);
  }

  snapshot(actor?: string) {
    const routes =
      actor === undefined ? this.overall : (this.byActor.get(actor) ?? new Map<string, Map<number, number>>());
    return {
      startedAt: this.startedAt,
      ...(actor === undefined ? {} : { actor }),
      routes: Object.fromEntries(
        [...routes].map(([route, statuses]) => [
          route,
          {
            count: [...statuses.values()].reduce((sum, n) => sum + n, 0),
            byStatus: Object.fromEntries([...statuses].map(([status, n]) => [String(status), n])),
          },
        ]),
      ),
    };
  }
}

function increment(routes: Map<string, Map<number, number>>, route: string, status: number) {
  let statuses = routes.get(route);
  if (!statuses) {
    statuses = new Map();
    routes.set(route, statuses);
  }
  statuses.set(status, (statuses.get(status) ?? 0) + 1);
}
