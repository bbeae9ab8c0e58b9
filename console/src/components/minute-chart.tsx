import { timestampDate } from '@bufbuild/protobuf/wkt';
import type { MinuteOutcomes } from '../../../src/gen/notify/v1/operations_service_pb.js';
import { useI18n } from '../i18n.js';

const WIDTH = 600;
const HEIGHT = 160;
const SERIES = [
  { key: 'sent', className: 'series-sent' },
  { key: 'failed', className: 'series-failed' },
  { key: 'dead', className: 'series-dead' },
] as const;

/** Sent / failed / dead per minute as stacked bars (SVG, no chart library: three series, 60 bars). */
export function MinuteChart({ minutes }: { minutes: readonly MinuteOutcomes[] }) {
  const { t, language } = useI18n();
  const totals = minutes.map((m) => Number(m.sent + m.failed + m.dead));
  const max = Math.max(1, ...totals);
  const barWidth = WIDTH / Math.max(1, minutes.length);
  const first = minutes[0]?.minute;
  const last = minutes[minutes.length - 1]?.minute;
  const label = (stamp: typeof first) =>
    stamp
      ? timestampDate(stamp).toLocaleTimeString(language, {
          hour: '2-digit',
          minute: '2-digit',
          hour12: false,
        })
      : '';
  const sums = SERIES.map(({ key }) => minutes.reduce((sum, m) => sum + Number(m[key]), 0));
  return (
    <figure class="chart">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={t('lastHour')}
        preserveAspectRatio="none"
      >
        {minutes.map((minute, index) => {
          let y = HEIGHT;
          return SERIES.map(({ key, className }) => {
            const height = (Number(minute[key]) / max) * (HEIGHT - 4);
            y -= height;
            return height > 0 ? (
              <rect
                class={className}
                x={index * barWidth + 0.5}
                y={y}
                width={Math.max(1, barWidth - 1)}
                height={height}
              >
                <title>{`${label(minute.minute)} ${t(key)}: ${minute[key]}`}</title>
              </rect>
            ) : null;
          });
        })}
      </svg>
      <figcaption>
        <span>{label(first)}</span>
        <span class="legend">
          {SERIES.map(({ key, className }, index) => (
            <span class={`legend-item ${className}`} data-testid={`chart-${key}`}>
              {t(key)} {sums[index]}
            </span>
          ))}
        </span>
        <span>{label(last)}</span>
      </figcaption>
    </figure>
  );
}
