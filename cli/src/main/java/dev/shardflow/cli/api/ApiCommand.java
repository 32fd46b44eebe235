package dev.shardflow.cli.api;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command over the topology service's API: where the service is (with its token), and text or JSON out. */
public abstract class ApiCommand implements Callable<Integer> {
    @Mixin
    protected ApiOptions api;

    @Mixin
    protected Output output;

    @Spec
    protected CommandSpec spec;

    protected PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
