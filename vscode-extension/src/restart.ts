// restart: how many times the server may be restarted after crashing.
//
// The rule: at most `maxRestarts` restarts within `windowMs`; one more crash
// inside the window stops restarting, and the user is told. Pure and clocked
// from outside so it can be tested without waiting minutes.
export class RestartBudget {
  private crashes: number[] = [];

  constructor(
    private readonly maxRestarts = 4,
    private readonly windowMs = 3 * 60 * 1000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records a crash; true when the server should be started again. */
  shouldRestart(): boolean {
    const t = this.now();
    this.crashes.push(t);
    this.crashes = this.crashes.filter((c) => t - c <= this.windowMs);
    return this.crashes.length <= this.maxRestarts;
  }

  /** Crashes counted in the current window. */
  get recentCrashes(): number {
    const t = this.now();
    return this.crashes.filter((c) => t - c <= this.windowMs).length;
  }

  reset(): void {
    this.crashes = [];
  }

  describe(): string {
    return `${this.maxRestarts + 1} times within ${Math.round(this.windowMs / 60000)} minutes`;
  }
}
