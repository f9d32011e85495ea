/**
 * The Home charts, loaded on demand: recharts is the largest part of the web bundle, and
 * only Home draws charts, so the other pages do not download it.
 */
import { lazy, Suspense } from 'react';
import { Loading } from '../../components/Feedback';

const charts = () => import('./PerformanceCharts');
const Brand = lazy(() => charts().then((m) => ({ default: m.BrandPerformance })));
const Partner = lazy(() => charts().then((m) => ({ default: m.PartnerPerformance })));
const Pinned = lazy(() => charts().then((m) => ({ default: m.PinnedChart })));

export function BrandPerformance() {
  return (
    <Suspense fallback={<Loading label="Loading performance…" />}>
      <Brand />
    </Suspense>
  );
}

export function PartnerPerformance() {
  return (
    <Suspense fallback={<Loading label="Loading earnings…" />}>
      <Partner />
    </Suspense>
  );
}

export function PinnedChart(props: { programId?: string }) {
  return (
    <Suspense fallback={<Loading />}>
      <Pinned {...props} />
    </Suspense>
  );
}
