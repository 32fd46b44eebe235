package dev.shardflow.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class PrivilegesTest {

    @Test
    void aDatabaseGrantCoversTheDatabasesItsPatternMatches() {
        assertThat(Privileges.matches("shop", "shop")).isTrue();
        assertThat(Privileges.matches("shop%", "shop_eu")).isTrue();
        assertThat(Privileges.matches("sho_", "shop")).isTrue();
        assertThat(Privileges.matches("shop\\_eu", "shop_eu")).isTrue();
        assertThat(Privileges.matches("shop\\_eu", "shopxeu")).as("an escaped _ is itself").isFalse();
        assertThat(Privileges.matches("shop", "shop2")).isFalse();
        assertThat(Privileges.matches("SHOP", "shop")).isTrue();
    }

    @Test
    void aDeniedPrivilegeIsToldFromAnOutage() {
        assertThat(Privileges.isDenied(new SQLException("permission denied for schema public", "42501"))).isTrue();
        assertThat(Privileges.isDenied(new SQLException("CREATE command denied to user", "42000", 1142))).isTrue();
        assertThat(Privileges.isDenied(new SQLException("Unknown database 'shop'", "42000", 1049))).isFalse();
        assertThat(Privileges.isDenied(new SQLException("Connection refused", "08001"))).isFalse();
    }
}
