package dev.shardflow.topology.api;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/** The API's HTTPS: a TLS context from a key store (PKCS12 or JKS) holding the server's certificate and key. */
public final class ApiTls {

    private ApiTls() {}

    /**
     * @throws IllegalArgumentException naming the file and why it cannot serve (missing, wrong password, no key);
     *     never the password
     */
    public static SSLContext fromKeyStore(Path keyStore, String password) {
        if (!Files.isReadable(keyStore)) {
            throw new IllegalArgumentException("api.tls.keyStore: " + keyStore + " cannot be read");
        }
        try (InputStream in = Files.newInputStream(keyStore)) {
            KeyStore store = KeyStore.getInstance(keyStore.toString().endsWith(".jks") ? "JKS" : "PKCS12");
            store.load(in, password.toCharArray());
            if (!java.util.Collections.list(store.aliases()).stream().anyMatch(alias -> isKey(store, alias))) {
                throw new IllegalArgumentException("api.tls.keyStore: " + keyStore + " holds no private key");
            }
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password.toCharArray());
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("api.tls.keyStore: " + keyStore + " cannot be opened with the given "
                    + "password (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    private static boolean isKey(KeyStore store, String alias) {
        try {
            return store.isKeyEntry(alias);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
