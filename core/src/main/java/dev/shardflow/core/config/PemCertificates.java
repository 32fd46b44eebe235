package dev.shardflow.core.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;

/**
 * The certificates of a PEM file (a server's, or its CA's) as an in-memory trust store: what a client that trusts a
 * server by a PEM file, but takes only a Java key store, is given — capture's binlog reader of a MariaDB source
 * trusted by {@code serverSslCert}, {@code shardctl}'s client of an https API trusted by {@code --api-ca}.
 */
public final class PemCertificates {

    private PemCertificates() {}

    /**
     * @throws IllegalArgumentException naming the file when it cannot be read or holds no certificate
     */
    public static KeyStore trustStore(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509")
                    .generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new IllegalArgumentException(pem + " holds no PEM certificate");
            }
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            int i = 0;
            for (Certificate certificate : certificates) {
                store.setCertificateEntry("trusted-" + i++, certificate);
            }
            return store;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot read " + pem + " as PEM certificates: " + e.getMessage(), e);
        }
    }
}
