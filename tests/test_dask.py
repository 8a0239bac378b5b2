"""Scale-out: the same batch submitted to a Dask cluster (a LocalCluster stands in for one)."""

import pytest

from etablering.run.batch import plan, run_batch

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.notebook


def test_two_kommuner_render_through_a_dask_cluster(processed, registry, tmp_path):
    jobs = plan(
        [registry.get("0680"), registry.get("2580")],
        ["01-mottagande"],
        {"year": 2018, "data_dir": str(processed)},
        "v1",
    )
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        manifest = run_batch(
            jobs, tmp_path / "reports", "v1", scheduler=cluster.scheduler_address, progress=False
        )
    assert manifest["executor"] == cluster.scheduler_address
    assert {r["kommun"]: r["status"] for r in manifest["results"]} == {"0680": "ok", "2580": "ok"}
    html = (tmp_path / "reports" / "0680-jonkoping" / "01-mottagande.html").read_text()
    assert "Jönköping tog emot 493 personer 2018" in html  # Kolada's N01986
    assert "Enligt Migrationsverkets fil tog Jönköping emot 494 personer 2018" in html
