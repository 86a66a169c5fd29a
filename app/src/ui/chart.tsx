"use client";
// Accuracy (and loss, when reported) per round, drawn with uPlot (small, canvas) loaded on demand.
import { useEffect, useRef } from "react";
import "uplot/dist/uPlot.min.css";

export interface ChartPoint {
  round: number;
  metric?: number;
  loss?: number;
}

export function MetricChart({ points, metricName }: { points: ChartPoint[]; metricName: string }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!ref.current || points.length === 0) return;
    let plot: { destroy(): void } | undefined;
    let cancelled = false;
    void import("uplot").then(({ default: UPlot }) => {
      if (cancelled || !ref.current) return;
      const hasLoss = points.some((p) => p.loss !== undefined);
      const data = [
        points.map((p) => p.round),
        points.map((p) => p.metric ?? null),
        ...(hasLoss ? [points.map((p) => p.loss ?? null)] : []),
      ];
      plot = new UPlot(
        {
          width: Math.min(720, ref.current.clientWidth || 720),
          height: 240,
          scales: { x: { time: false } },
          legend: { live: false }, // series names and colours only: no cursor values ("--") while nothing is hovered
          axes: [
            { stroke: "#a3a9b8", label: "round", incrs: [1, 2, 5, 10] },
            { stroke: "#a3a9b8", label: metricName },
            ...(hasLoss ? [{ side: 1, stroke: "#a3a9b8", scale: "loss", label: "loss", grid: { show: false } }] : []),
          ],
          series: [
            { label: "round" },
            { label: metricName, stroke: "#7cc4ff", width: 2, points: { show: true } },
            ...(hasLoss ? [{ label: "loss", stroke: "#ffd166", width: 2, scale: "loss", points: { show: true } }] : []),
          ],
        },
        data as never,
        ref.current,
      );
    });
    return () => {
      cancelled = true;
      plot?.destroy();
    };
  }, [points, metricName]);
  return (
    <figure data-testid="accuracy-chart" data-points={JSON.stringify(points)} aria-label={`${metricName} per round`}>
      <div ref={ref} />
      <figcaption className="sr-only">
        {points
          .map(
            (p) =>
              `round ${p.round}: ${metricName} ${p.metric ?? "?"}${p.loss !== undefined ? `, loss ${p.loss}` : ""}`,
          )
          .join("; ")}
      </figcaption>
    </figure>
  );
}
