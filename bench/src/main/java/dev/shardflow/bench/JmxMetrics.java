package dev.shardflow.bench;

import java.lang.management.ManagementFactory;
import java.util.Set;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/** The metrics Kafka clients and Kafka Streams publish over JMX in this process, read by the benchmarks. */
public final class JmxMetrics {
    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

    private JmxMetrics() {}

    /** The beans of {@code pattern} whose {@code clientKey} property starts with {@code prefix}. */
    public static Set<ObjectName> names(String pattern, String clientKey, String prefix) {
        try {
            Set<ObjectName> names = new java.util.HashSet<>(SERVER.queryNames(new ObjectName(pattern), null));
            names.removeIf(name -> name.getKeyProperty(clientKey) == null
                    || !name.getKeyProperty(clientKey).startsWith(prefix));
            return names;
        } catch (MalformedObjectNameException e) {
            throw new IllegalArgumentException(pattern, e);
        }
    }

    /** An attribute, or null where the bean or the attribute is gone (a thread replaced, a client closed). */
    public static Object read(ObjectName name, String attribute) {
        try {
            return SERVER.getAttribute(name, attribute);
        } catch (Exception e) {
            return null;
        }
    }
}
