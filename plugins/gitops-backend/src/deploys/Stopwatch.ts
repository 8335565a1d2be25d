/** Milliseconds since `start` in laps, for logs of slow work. */
export class Stopwatch {
  private readonly start = Date.now();
  private last = this.start;
  readonly laps: string[] = [];

  lap(what: string) {
    const now = Date.now();
    this.laps.push(`${what} ${now - this.last} ms`);
    this.last = now;
  }

  get total() {
    return Date.now() - this.start;
  }
}
