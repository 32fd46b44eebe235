package dev.shardflow.topology;

import static dev.shardflow.topology.TopologySettings.API_HOST;
import static dev.shardflow.topology.TopologySettings.API_PORT;
import static dev.shardflow.topology.TopologySettings.API_TOKEN_ENV;
import static dev.shardflow.topology.TopologySettings.API_TOKEN_FILE;

import dev.shardflow.core.config.ConfigException;
import dev.shardflow.core.config.SettingsReader;
import dev.shardflow.core.topology.SecretRef;
import dev.shardflow.topology.api.ApiServer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/** The topology-service process: {@code TopologyMain topology-service.yaml}. Stops cleanly on SIGTERM. */
public final class TopologyMain {

    private TopologyMain() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length != 1) {
            System.err.println("usage: TopologyMain <topology-service.yaml>");
            System.exit(2);
        }
        Path file = Path.of(args[0]);
        Map<String, String> environment = System.getenv();
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        TopologyService service;
        ApiServer api;
        try {
            TopologyServiceOptions options = TopologyServiceOptions.load(file, environment);
            SettingsReader settings = SettingsReader.of(file, environment).read(TopologySettings.ALL);
            String token = token(file, settings, environment);
            service = new TopologyService(options, meters).start();
            api = new ApiServer(settings.get(API_HOST), settings.get(API_PORT), new TopologyApi(service), token, meters::scrape).start();
        } catch (ConfigException | IllegalStateException | IllegalArgumentException e) {
            System.err.println("topology-service: " + e.getMessage());
            System.exit(1);
            return;
        } catch (IOException e) {
            System.err.println("topology-service: cannot listen for the API: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        ApiServer server = api;
        TopologyService running = service;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            running.close();
            stopped.countDown();
        }, "topology-shutdown"));
        stopped.await();
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
