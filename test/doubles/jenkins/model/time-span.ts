// hudson.Util.getTimeSpanString: the two most significant units ("1 hr 30 min", "20 min", "4.9 sec").

const UNITS: Array<[number, string]> = [
  [365 * 24 * 3600_000, 'yr'], [30 * 24 * 3600_000, 'mo'], [24 * 3600_000, 'day'], [3600_000, 'hr'], [60_000, 'min'], [1000, 'sec'],
];

export function timeSpan(ms: number): string {
  for (let i = 0; i < UNITS.length - 1; i++) {
    const [size, unit] = UNITS[i];
    const big = Math.floor(ms / size);
    if (big > 0) {
      const [smallSize, smallUnit] = UNITS[i + 1];
      const small = Math.floor((ms % size) / smallSize);
      return big < 10 ? `${big} ${unit} ${small} ${smallUnit}` : `${big} ${unit}`;
    }
  }
  const seconds = Math.floor(ms / 1000);
  const millis = ms % 1000;
  if (seconds >= 10) return `${seconds} sec`;
  if (seconds >= 1) return `${seconds + Math.floor(millis / 100) / 10} sec`;
  if (millis >= 100) return `${Math.floor(millis / 10) / 100} sec`;
  return `${millis} ms`;
}
