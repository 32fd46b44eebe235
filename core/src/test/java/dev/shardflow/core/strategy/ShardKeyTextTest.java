package dev.shardflow.core.strategy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ShardKeyTextTest {

    @Test
    void integersAreNumbersAndEverythingElseIsText() {
        assertThat(ShardKeyText.parse("7")).isEqualTo(7L);
        assertThat(ShardKeyText.parse("-42")).isEqualTo(-42L);
        assertThat(ShardKeyText.parse("0")).isEqualTo(0L);
        assertThat(ShardKeyText.parse("123456789012345678")).isEqualTo(123456789012345678L);
        assertThat(ShardKeyText.parse("007")).isEqualTo("007");
        assertThat(ShardKeyText.parse("-07")).isEqualTo("-07");
        assertThat(ShardKeyText.parse("1234567890123456789")).as("19 digits").isEqualTo("1234567890123456789");
        assertThat(ShardKeyText.parse("user-7")).isEqualTo("user-7");
        assertThat(ShardKeyText.parse("")).isEqualTo("");
    }
}
