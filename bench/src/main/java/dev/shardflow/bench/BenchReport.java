package dev.shardflow.bench;

import java.util.Collection;
import java.util.Locale;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the JMH benchmarks of one class and prints each result next to the class's baseline (the benchmark whose
 * name starts with {@code baseline}), measured in the same run: {@code ratio} is how many times faster (for
 * throughput) or slower (for time per operation) than the baseline a benchmark is.
 */
public final class BenchReport {

    private BenchReport() {}

    public static void main(String[] args) throws RunnerException {
        String include = args.length > 0 ? args[0] : "dev.shardflow.bench.ring.*";
        Options options = new OptionsBuilder()
                .include(include)
                .forks(1)
                .warmupIterations(3)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(5)
                .measurementTime(TimeValue.seconds(1))
                .threads(1)
                .build();
        print(new Runner(options).run());
    }

    private static void print(Collection<RunResult> results) {
        System.out.println();
        System.out.printf(Locale.ROOT, "%-45s %16s %-8s %10s%n", "benchmark", "score", "unit", "vs baseline");
        for (RunResult result : results) {
            String name = result.getParams().getBenchmark();
            String owner = name.substring(0, name.lastIndexOf('.'));
            RunResult baseline = results.stream()
                    .filter(r -> r.getParams().getBenchmark().startsWith(owner + ".baseline"))
                    .findFirst().orElse(null);
            double score = result.getPrimaryResult().getScore();
            String ratio = baseline == null ? "-" : String.format(Locale.ROOT, "%.2fx",
                    score / baseline.getPrimaryResult().getScore());
            System.out.printf(Locale.ROOT, "%-45s %,16.1f %-8s %10s%n", name.substring(name.lastIndexOf('.',
                    name.lastIndexOf('.') - 1) + 1), score, result.getPrimaryResult().getScoreUnit(), ratio);
        }
    }
}
