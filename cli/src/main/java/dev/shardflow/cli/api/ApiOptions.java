package dev.shardflow.cli.api;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The options of every command that talks to the topology service. */
public final class ApiOptions {

    @Option(names = "--api", paramLabel = "URL", defaultValue = "${env:SHARDFLOW_API:-http://127.0.0.1:8080}",
            description = "The topology service (default: $SHARDFLOW_API or ${DEFAULT-VALUE}).")
    URI api;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "A file holding the API's bearer token (default: the variable SHARDFLOW_API_TOKEN).")
    Path tokenFile;

    @Option(names = "--timeout", paramLabel = "SECONDS", defaultValue = "600",
            description = "How long to wait for an answer (verify can take long; default ${DEFAULT-VALUE}).")
    long timeoutSeconds;

    public ApiClient client() {
        String token = System.getenv("SHARDFLOW_API_TOKEN");
        if (tokenFile != null) {
            try {
                token = Files.readString(tokenFile).trim();
            } catch (IOException e) {
                throw new IllegalArgumentException("--token-file: cannot read " + tokenFile + " ("
                        + e.getMessage() + ")");
            }
        }
        if (token != null && !token.isBlank() && !token.chars().allMatch(c -> c > ' ' && c < 127)) {
            // never echo it: a token file that holds something else may hold another secret
            throw new IllegalArgumentException((tokenFile != null ? "--token-file: " + tokenFile
                    : "SHARDFLOW_API_TOKEN") + " does not hold a token: a token is one line of printable characters "
                    + "without spaces");
        }
        String base = api.toString().endsWith("/") ? api.toString() : api + "/";
        return new ApiClient(URI.create(base), token == null || token.isBlank() ? null : token,
                Duration.ofSeconds(timeoutSeconds));
    }
}
