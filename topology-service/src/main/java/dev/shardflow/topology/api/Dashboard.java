package dev.shardflow.topology.api;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The dashboard page, one self-contained HTML file served at {@code /}; it polls the JSON API every second. */
final class Dashboard {
    private static final byte[] PAGE = load();

    private Dashboard() {}

    static byte[] page() {
        return PAGE;
    }

    private static byte[] load() {
        try (InputStream in = Dashboard.class.getResourceAsStream("dashboard.html")) {
            if (in == null) {
                throw new IllegalStateException("dashboard.html is missing from the topology-service jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
