package dev.shardflow.core.topology;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class CopyProgressTest {

    @Test
    void eachPartitionCountsUpToWhereTheCopyStartedAndNoFurther() {
        CopyStart start = new CopyStart(Map.of("sf.shop.cdc.users-0", 100L, "sf.shop.cdc.users-1", 50L,
                "sf.shop.cdc.orders-0", 10L));
        CopyProgress progress = CopyProgress.of(start, Map.of("sf.shop.cdc.users-0", 40L, "sf.shop.cdc.users-1", 80L,
                "sf.shop.cdc.unrelated-0", 999L));
        assertThat(progress).isEqualTo(new CopyProgress(40 + 50, 160));
        assertThat(progress.fraction()).isEqualTo(90.0 / 160);
        assertThat(CopyProgress.of(new CopyStart(Map.of()), Map.of()).fraction()).as("nothing to copy").isEqualTo(1.0);
    }
}
