/**
 * Test helper: every non-empty line written to stdout and stderr between `start()` and `stop()`,
 * which is what a Lambda's log (and CloudWatch's EMF metrics) would receive. The logs-and-leaks
 * tests read it to prove that no answer, name or token reaches a log line.
 */
export class OutputCapture {
  readonly lines: string[] = [];
  private restore: (() => void) | undefined;

  start(): void {
    if (this.restore) return;
    const stdout = process.stdout.write.bind(process.stdout);
    const stderr = process.stderr.write.bind(process.stderr);
    const capture = ((chunk: unknown) => {
      this.lines.push(
        ...String(chunk)
          .split('\n')
          .filter((line) => line.trim().length > 0),
      );
      return true;
    }) as typeof process.stdout.write;
    process.stdout.write = capture;
    process.stderr.write = capture;
    this.restore = () => {
      process.stdout.write = stdout;
      process.stderr.write = stderr;
    };
  }

  stop(): void {
    this.restore?.();
    this.restore = undefined;
  }

  /** The lines `run` writes (captured only while it runs). */
  static during(run: () => void): string[] {
    const capture = new OutputCapture();
    capture.start();
    try {
      run();
    } finally {
      capture.stop();
    }
    return capture.lines;
  }
}
