package dev.shardflow.cli.serve;

import dev.shardflow.capture.CaptureMain;
import dev.shardflow.capture.CaptureSettings;
import dev.shardflow.core.config.Setting;
import dev.shardflow.process.ProcessMain;
import dev.shardflow.rebalancer.RebalancerMain;
import dev.shardflow.rebalancer.RebalancerSettings;
import dev.shardflow.topology.TopologyMain;
import dev.shardflow.topology.TopologySettings;
import dev.shardflow.writer.WriterMain;
import dev.shardflow.writer.WriterSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code shardctl serve COMPONENT FILE}: runs one shardflow process in the foreground — capture, the rebalancer, a
 * writer or the topology service — from its settings file, until SIGTERM. How {@code compose/} runs every
 * container, and how a host without containers runs them.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, description = "Run a shardflow process in the foreground "
        + "from its settings file, until SIGTERM: capture, rebalancer, writer or topology-service.")
public final class ServeCommand implements Callable<Integer> {

    /** The processes, each with its settings file's usual name. */
    public enum Component { capture, rebalancer, writer, topology_service }

    @Parameters(index = "0", paramLabel = "COMPONENT",
            description = "capture, rebalancer, writer or topology-service.", converter = ComponentName.class)
    Component component;

    @Parameters(index = "1", paramLabel = "FILE", description = "Its settings YAML file.")
    Path file;

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("no settings file " + file);
        }
        ProcessMain.Starter starter = switch (component) {
            case capture -> CaptureMain::start;
            case rebalancer -> RebalancerMain::start;
            case writer -> WriterMain::start;
            case topology_service -> TopologyMain::start;
        };
        List<Setting<?>> settings = switch (component) {
            case capture -> CaptureSettings.ALL;
            case rebalancer -> RebalancerSettings.ALL;
            case writer -> WriterSettings.ALL;
            case topology_service -> TopologySettings.ALL;
        };
        // a bad file fails here, naming the field, with exit code 1; a loop failed for good ends it with exit code 1
        // too; otherwise this returns once SIGTERM stopped it
        ProcessMain.serve(component.name().replace('_', '-'), file, settings, starter);
        return 0;
    }

    /** {@code topology-service} on the command line, {@code topology_service} in Java. */
    static final class ComponentName implements picocli.CommandLine.ITypeConverter<Component> {
        @Override
        public Component convert(String value) {
            try {
                return Component.valueOf(value.replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new picocli.CommandLine.TypeConversionException("no component '" + value
                        + "'; one of capture, rebalancer, writer, topology-service");
            }
        }
    }
}
