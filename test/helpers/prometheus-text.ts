/** Parse Prometheus text exposition into `name{labels}` → value (labels as written). */
export function parsePrometheus(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    values.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return values;
}

/** The value of one series, 0 when absent (a counter that never moved). */
export function seriesValue(values: Map<string, number>, series: string): number {
  return values.get(series) ?? 0;
}
