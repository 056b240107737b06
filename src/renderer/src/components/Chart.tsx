// A uPlot chart that fills its container's width (ResizeObserver) and follows the theme.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { cssVar, useColorScheme } from '../lib/theme';

export interface ChartTheme {
  text: string;
  muted: string;
  grid: string;
  series: string[];
}

export interface ChartProps {
  /** Builds the options (without size) for the current theme. */
  options: (theme: ChartTheme) => Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
  /** Changes when the series change shape (labels, count): the chart is rebuilt. */
  shapeKey: string;
  height?: number;
  label: string;
}

function readTheme(): ChartTheme {
  return {
    text: cssVar('--text'),
    muted: cssVar('--text-muted'),
    grid: cssVar('--chart-grid'),
    series: [1, 2, 3, 4, 5, 6, 7, 8].map((i) => cssVar(`--chart-${i}`)),
  };
}

/** Common axis styling for a theme. */
export function axisStyle(theme: ChartTheme, extra: Partial<uPlot.Axis> = {}): uPlot.Axis {
  return {
    stroke: theme.muted,
    grid: { stroke: theme.grid, width: 1 },
    ticks: { stroke: theme.grid, width: 1, size: 4 },
    font: '11px system-ui, sans-serif',
    ...extra,
  };
}

export function Chart({ options, data, shapeKey, height = 150, label }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const optionsRef = useRef(options);
  optionsRef.current = options;
  const dataRef = useRef(data);
  dataRef.current = data;
  const scheme = useColorScheme();

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const theme = readTheme();
    const width = Math.max(200, Math.floor(el.clientWidth));
    const u = new uPlot({ ...optionsRef.current(theme), width, height }, dataRef.current, el);
    plot.current = u;
    const ro = new ResizeObserver((entries) => {
      const w = Math.floor(entries[0]?.contentRect.width ?? 0);
      if (w > 0 && Math.abs(w - u.width) >= 1) u.setSize({ width: w, height });
    });
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [scheme, shapeKey, height]);

  useEffect(() => {
    plot.current?.setData(data);
  }, [data]);

  return <div className="chart" ref={box} role="img" aria-label={label} />;
}
