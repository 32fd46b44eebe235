package dev.shardflow.testkit.tls;

import dev.shardflow.testkit.process.Scratch;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed server certificate for {@code localhost} and {@code 127.0.0.1}, made with the JDK's own
 * {@code keytool}: as a PKCS12 key store for Java servers (Kafka), as PEM files for PostgreSQL and MariaDB, and a
 * PKCS12 trust store and PEM root certificate for the clients. A fresh one per call, in a scratch directory.
 *
 * @param password the key store's, trust store's and key's password
 */
public record TestCertificates(Path directory, Path keyStore, Path trustStore, Path certificatePem, Path keyPem,
        String password) {

    public static TestCertificates generate() {
        Path directory = Scratch.newDirectory("tls");
        String password = UUID.randomUUID().toString().replace("-", "");
        Path keyStore = directory.resolve("server.p12");
        Path trustStore = directory.resolve("truststore.p12");
        Path certificate = directory.resolve("server.crt");
        keytool("-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-validity", "3",
                "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-storetype", "PKCS12",
                "-keystore", keyStore.toString(), "-storepass", password, "-keypass", password);
        keytool("-exportcert", "-rfc", "-alias", "server", "-keystore", keyStore.toString(), "-storepass", password,
                "-file", certificate.toString());
        keytool("-importcert", "-noprompt", "-alias", "server", "-file", certificate.toString(), "-storetype",
                "PKCS12", "-keystore", trustStore.toString(), "-storepass", password);
        Path key = directory.resolve("server.key");
        try (InputStream in = Files.newInputStream(keyStore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password.toCharArray());
            Key privateKey = store.getKey("server", password.toCharArray());
            Certificate cert = store.getCertificate("server");
            Files.writeString(key, pem("PRIVATE KEY", privateKey.getEncoded()), StandardCharsets.US_ASCII);
            Files.writeString(certificate, pem("CERTIFICATE", cert.getEncoded()), StandardCharsets.US_ASCII);
            // PostgreSQL refuses a key file others can read
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot write the test certificate's PEM files: " + e.getMessage(), e);
        }
        return new TestCertificates(directory, keyStore, trustStore, certificate, key, password);
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static void keytool(String... arguments) {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        if (!Files.isExecutable(keytool)) {
            throw new IllegalStateException(keytool + " is missing; a TLS test needs a full JDK (with keytool), "
                    + "not a JRE");
        }
        List<String> command = new ArrayList<>(List.of(keytool.toString()));
        command.addAll(List.of(arguments));
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalStateException("keytool " + arguments[0] + " failed: " + output.strip());
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run keytool: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running keytool", e);
        }
    }
}
