package dev.shardflow.capture.debezium;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Base64;
import java.util.Collection;

/**
 * A PKCS12 trust store made from a PEM certificate file, for the one client that takes no PEM: Debezium's binlog
 * reader of a MariaDB source whose JDBC URL trusts the server by {@code serverSslCert}. It lives in a temporary file
 * of its own, deleted when the process ends, with a random password that is never printed.
 */
record PemTrustStore(Path path, String password) {

    static PemTrustStore of(String pemFile) {
        try (InputStream in = Files.newInputStream(Path.of(pemFile))) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509")
                    .generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new IllegalStateException("serverSslCert " + pemFile + " holds no certificate");
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int i = 0;
            for (Certificate certificate : certificates) {
                store.setCertificateEntry("server-" + i++, certificate);
            }
            byte[] secret = new byte[18];
            new SecureRandom().nextBytes(secret);
            String password = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
            Path path = Files.createTempFile("shardflow-capture-trust-", ".p12");
            path.toFile().deleteOnExit();
            try (OutputStream out = Files.newOutputStream(path)) {
                store.store(out, password.toCharArray());
            }
            return new PemTrustStore(path, password);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read serverSslCert " + pemFile + " as PEM certificates: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "trust store " + path;
    }
}
