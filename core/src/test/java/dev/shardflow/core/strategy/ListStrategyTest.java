package dev.shardflow.core.strategy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ListStrategyTest {
    static ListStrategy regions() {
        return ListStrategy.builder()
                .values("eu", List.of("DE", "AT", "CH", "FR"))
                .values("us", List.of("US", "CA"))
                .defaultShard("intl")
                .build();
    }

    @Test
    void countriesGoToTheirRegionAndTheRestToTheDefault() {
        ListStrategy regions = regions();
        assertThat(regions.ownerOf("DE")).isEqualTo("eu");
        assertThat(regions.ownerOf("CA")).isEqualTo("us");
        assertThat(regions.ownerOf("JP")).isEqualTo("intl");
        assertThat(regions.shards()).containsExactly("eu", "us", "intl");
    }

    @Test
    void aValueListedTwiceIsRefusedNamingBothShards() {
        assertThatThrownBy(() -> ListStrategy.builder().values("eu", List.of("DE")).values("dach", List.of("DE")))
                .hasMessageContaining("'DE'").hasMessageContaining("eu").hasMessageContaining("dach");
    }

    @Test
    void withoutADefaultAnUnlistedValueIsAnError() {
        ListStrategy strict = ListStrategy.builder().values("eu", List.of("DE")).build();
        assertThatThrownBy(() -> strict.ownerOf("BR")).hasMessageContaining("no default");
    }

    @Test
    void movingCountriesAndTheDefaultListsEveryChange() {
        ListStrategy after = ListStrategy.builder()
                .values("eu", List.of("DE", "AT", "FR"))
                .values("ch", List.of("CH"))
                .values("us", List.of("US", "CA", "MX"))
                .defaultShard("apac")
                .build();
        assertThat(StrategyDiff.between(regions(), after).moves()).containsExactly(
                new ValueSet(List.of("CH"), false, "eu", "ch"),
                new ValueSet(List.of("MX"), false, "intl", "us"),
                new ValueSet(List.of(), true, "intl", "apac"));
    }
}
