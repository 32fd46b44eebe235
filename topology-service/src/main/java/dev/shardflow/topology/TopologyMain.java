package dev.shardflow.topology;

import static dev.shardflow.topology.TopologySettings.API_HOST;
import static dev.shardflow.topology.TopologySettings.API_PORT;
import static dev.shardflow.topology.TopologySettings.API_TOKEN_ENV;
import static dev.shardflow.topology.TopologySettings.API_TOKEN_FILE;

import dev.shardflow.core.config.ConfigException;
import dev.shardflow.core.config.SettingsReader;
import dev.shardflow.core.topology.SecretRef;
import dev.shardflow.kafka.ClusterCheck;
import dev.shardflow.process.Health;
import dev.shardflow.process.Probes;
import dev.shardflow.process.ProcessMain;
import dev.shardflow.topology.api.ApiServer;
import dev.shardflow.topology.api.ApiTls;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;

/** The topology-service process: {@code TopologyMain topology-service.yaml}. Stops cleanly on SIGTERM. */
public final class TopologyMain {

    private TopologyMain() {}

    public static void main(String[] args) throws InterruptedException {
        ProcessMain.run(TopologyMain.class, "topology-service", args, TopologySettings.ALL, TopologyMain::start);
    }

    /**
     * The service and its API (with the dashboard, {@code /metrics} and {@code /health/*}: ready while Kafka
     * answers); closing the answer stops both.
     */
    public static AutoCloseable start(Path file, MeterRegistry registry) throws IOException {
        Map<String, String> environment = System.getenv();
        PrometheusMeterRegistry meters = registry instanceof PrometheusMeterRegistry prometheus ? prometheus
                : new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        TopologyServiceOptions options = TopologyServiceOptions.load(file, environment);
        SettingsReader settings = SettingsReader.of(file, environment).read(TopologySettings.ALL);
        String token = token(file, settings, environment);
        SSLContext tls = tls(file, settings, environment);
        TopologyService service = new TopologyService(options, meters).start();
        ClusterCheck kafka = ClusterCheck.of(options.kafka(), Duration.ofSeconds(10));
        Probes probes = new Probes(Duration.ofSeconds(5), Duration.ofSeconds(10)).add("kafka", kafka::check).start();
        ApiServer api;
        try {
            api = new ApiServer(settings.get(API_HOST), settings.get(API_PORT), new TopologyApi(service), token,
                    meters::scrape, () -> {
                        List<Health.Loop> loops = new java.util.ArrayList<>(probes.loops());
                        loops.add(service.leadership());
                        if (service.leading()) {
                            loops.add(service.transactions().loop());
                        }
                        return loops;
                    }, tls, settings.get(TopologySettings.API_READS_NEED_TOKEN)).start();
        } catch (IOException e) {
            probes.close();
            kafka.close();
            service.close();
            throw new IOException("cannot listen for the API on " + settings.get(API_HOST) + ":"
                    + settings.get(API_PORT) + ": " + e.getMessage(), e);
        }
        return () -> {
            api.close();
            probes.close();
            kafka.close();
            service.close();
        };
    }

    /** The API's TLS context when {@code api.tls.keyStore} names one, else null (plain HTTP). */
    private static SSLContext tls(Path file, SettingsReader settings, Map<String, String> environment) {
        String store = settings.get(TopologySettings.API_TLS_KEY_STORE);
        if (store.equals("none")) {
            return null;
        }
        Path directory = file.toAbsolutePath().getParent();
        String passwordFile = settings.get(TopologySettings.API_TLS_PASSWORD_FILE);
        SecretRef password = passwordFile.equals("none")
                ? SecretRef.env(settings.get(TopologySettings.API_TLS_PASSWORD_ENV))
                : SecretRef.file(directory.resolve(passwordFile).toString());
        try {
            return ApiTls.fromKeyStore(directory.resolve(store), password.resolve(environment::get));
        } catch (RuntimeException e) {
            throw new ConfigException(file.toString(), List.of(e.getMessage().startsWith("api.tls") ? e.getMessage()
                    : "api.tls.keyStorePassword: " + e.getMessage()));
        }
    }

    private static String token(Path file, SettingsReader settings, Map<String, String> environment) {
        boolean fromFile = !settings.get(API_TOKEN_FILE).equals("none");
        SecretRef reference = fromFile ? SecretRef.file(file.toAbsolutePath().getParent()
                .resolve(settings.get(API_TOKEN_FILE)).toString()) : SecretRef.env(settings.get(API_TOKEN_ENV));
        try {
            String token = reference.resolve(environment::get);
            if (token == null || token.isBlank()) {
                throw new IllegalArgumentException("empty");
            }
            return token.trim();
        } catch (RuntimeException e) {
            throw new ConfigException(file.toString(), List.of((fromFile ? "api.tokenFile" : "api.tokenEnv")
                    + ": no bearer token in " + reference + "; mutating API calls need one (set the variable or "
                    + "write the file)"));
        }
    }
}
