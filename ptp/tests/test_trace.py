import asyncio
from concurrent.futures import ThreadPoolExecutor

from hypothesis import given, settings
from hypothesis import strategies as st

import ptp
from ptp.trace import Event, Trace, Usage, bind, span, step

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3)
    ),
    max_leaves=8,
)
events = st.recursive(
    st.builds(
        Event,
        kind=st.sampled_from(["llm", "ptool", "tool", "step", "code", "agent"]),
        name=st.text(max_size=10),
        inputs=st.dictionaries(st.text(max_size=5), json_values, max_size=3),
        output=json_values,
        error=st.none() | st.text(max_size=10),
        usage=st.none()
        | st.builds(
            Usage, prompt_tokens=st.integers(0, 10**6), completion_tokens=st.integers(0, 10**6)
        ),
        cost_usd=st.none() | st.floats(0, 10, allow_nan=False),
        latency_s=st.none() | st.floats(0, 100, allow_nan=False),
        wall_s=st.floats(0, 100, allow_nan=False),
    ),
    lambda children: st.builds(
        Event, kind=st.just("agent"), name=st.just("a"), children=st.lists(children, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=60, deadline=None)
@given(st.lists(events, max_size=4))
def test_save_load_round_trip(tmp_path_factory, evs):
    trace = Trace(meta={"case": "x"}, events=evs, wall_s=1.5)
    path = trace.save(tmp_path_factory.mktemp("t") / "trace.json")
    assert Trace.load(path) == trace


@step
def double(x: int) -> int:
    return 2 * x


def test_steps_nest_and_totals_count():
    with ptp.recorder(task="t1") as trace, span("agent", "outer"):
        double(2)
        double(3)
    (outer,) = trace.events
    assert [c.output for c in outer.children] == [4, 6]
    assert outer.children[0].inputs == {"x": 2}
    assert trace.totals().steps == 2
    assert "step double" in trace.render()


def test_latency_is_the_models_for_llm_events_and_wall_time_for_the_rest():
    with ptp.recorder() as trace:
        with span("tool", "t"):
            pass
        with span("llm", "m") as llm:
            llm.latency_s = 27.0  # as the model client reports it (e.g. from a cassette)
        with span("llm", "unknown"):
            pass
    tool, known, unknown = trace.events
    assert tool.latency_s == tool.wall_s > 0
    assert known.latency_s == 27.0 and 0 < known.wall_s < 27.0
    assert unknown.latency_s is None and unknown.wall_s > 0
    totals = trace.totals()
    assert totals.latency_s is None  # one llm call's latency is unknown
    assert totals.llm_wall_s == known.wall_s + unknown.wall_s
    assert "?ms" in trace.render() and "model latency unknown" in trace.render()
    trace.events.pop()
    assert trace.totals().latency_s == 27.0


def test_a_trace_without_llm_calls_has_zero_model_latency():
    with ptp.recorder() as trace:
        double(1)
    assert trace.totals().latency_s == 0.0


def test_errors_are_recorded_and_reraised():
    with ptp.recorder() as trace:
        try:
            with span("tool", "boom"):
                raise ValueError("bad input")
        except ValueError:
            pass
    assert trace.events[0].error == "ValueError: bad input"
    assert trace.totals().errors == 1


def test_threads_with_bind_nest_under_their_parent():
    with ptp.recorder() as trace, span("agent", "parent"), ThreadPoolExecutor(4) as pool:
        list(pool.map(bind(double), range(20)))
    assert len(trace.events) == 1
    assert sorted(c.output for c in trace.events[0].children) == [2 * i for i in range(20)]


def test_asyncio_tasks_nest_correctly():
    @step
    async def work(i: int) -> int:
        await asyncio.sleep(0.001 * (5 - i))
        return i

    async def main():
        async def branch(i):
            with span("agent", f"b{i}"):
                await work(i)

        await asyncio.gather(*(branch(i) for i in range(5)))

    with ptp.recorder() as trace:
        asyncio.run(main())
    assert len(trace.events) == 5
    for event in trace.events:
        (child,) = event.children
        assert f"b{child.output}" == event.name


def test_nothing_is_recorded_outside_a_recorder():
    assert double(1) == 2
