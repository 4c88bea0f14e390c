/**
 * prom-client's instruments, each from its own module: the package's index also loads the Summary
 * (with tdigest), the Pushgateway (http, https, zlib) and the cluster aggregator, which the canary
 * never uses and which cost start-up time.
 */
import Registry from 'prom-client/lib/registry.js';
import Counter from 'prom-client/lib/counter.js';
import Gauge from 'prom-client/lib/gauge.js';
import Histogram from 'prom-client/lib/histogram.js';
import collectDefaultMetrics from 'prom-client/lib/defaultMetrics.js';

export { collectDefaultMetrics, Counter, Gauge, Histogram, Registry };
