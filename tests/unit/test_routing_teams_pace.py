"""Teams allows 4 messages a second per channel or chat: the fifth waits, it is not refused."""

from comms_assistant.adapters.graph.teams import Pace


def test_the_fifth_post_in_a_second_waits_for_the_next_second_per_place() -> None:
    now = [100.0]
    pace = Pace(clock=lambda: now[0])
    waits = [pace.delay("channel-a") for _ in range(9)]
    assert waits[:4] == [0.0] * 4
    assert waits[4:8] == [1.0] * 4 and waits[8] == 2.0
    assert pace.delay("chat-b") == 0.0, "another conversation has its own 4 a second"
    now[0] = 103.0
    assert pace.delay("channel-a") == 0.0, "once the queue has passed, no wait"
