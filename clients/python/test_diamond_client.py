"""The Python client against a live `diamond serve` (scripts/test_python_client.sh starts
one): every method once, the numbers checked against what the API says another way.

Environment: DIAMOND_URL, DIAMOND_API_KEY, DIAMOND_DATA_CSV (the reference data).
"""

import csv
import hashlib
import io
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from diamond_client import ApiError, DiamondClient, client_from_environment  # noqa: E402


def stone(row):
    out = {}
    for name in ("carat", "depth", "table", "price", "x", "y", "z"):
        out[name] = float(row[name])
    for name in ("cut", "color", "clarity"):
        out[name] = row[name]
    return out


class DiamondClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.client = client_from_environment()
        with open(os.environ["DIAMOND_DATA_CSV"], newline="") as f:
            cls.csv_text = f.read()
        cls.rows = list(csv.DictReader(io.StringIO(cls.csv_text)))
        cls.client.put_dataset("py-reference", csv_text=cls.csv_text)
        cls.client.train("py-linear", "py-reference",
                         hyperparameters={"selector": ["carat", "cut", "color", "clarity"], "positive": True})

    def test_account(self):
        me = self.client.me()
        self.assertEqual(me["role"], "admin")
        self.assertIn("usage", me)

    def test_datasets_round_trip_and_append_adds_a_segment(self):
        first = [stone(r) for r in self.rows[:20]]
        created = self.client.put_dataset("py-small", stones=first)
        self.assertEqual(created["rows"], 20)
        appended = self.client.append_dataset("py-small", stones=[stone(r) for r in self.rows[20:30]])
        self.assertEqual(appended["rows"], 30)
        self.assertEqual(appended["segments"], 2)
        text = self.client.dataset_csv("py-small")
        self.assertEqual(hashlib.sha256(text.encode()).hexdigest(), appended["sha256"])
        self.assertEqual(len(text.strip().split("\n")), 31)
        listed = self.client.list_datasets(page=0, page_size=1000)
        self.assertIn("py-small", [d["id_"] for d in listed["results"]])
        self.client.delete_dataset("py-small")
        with self.assertRaises(ApiError) as caught:
            self.client.get_dataset("py-small")
        self.assertEqual(caught.exception.status, 404)

    def test_invalid_rows_raise_the_problem_with_its_rows(self):
        bad = [stone(self.rows[0]), dict(stone(self.rows[1]), cut="Splendid")]
        with self.assertRaises(ApiError) as caught:
            self.client.put_dataset("py-bad", stones=bad)
        self.assertEqual(caught.exception.status, 422)
        self.assertEqual(caught.exception.errors[0]["field"] if "field" in caught.exception.errors[0]
                         else caught.exception.errors[0]["column"], "cut")

    def test_predict_with_explanation_and_interval(self):
        answer = self.client.predict("py-linear", stone(self.rows[0]), explain=True, interval=0.9)
        prediction = answer["predictions"][0]
        product = prediction["explanation"]["base_price"]
        for factor in prediction["explanation"]["factors"]:
            product *= factor["factor"]
        self.assertAlmostEqual(product, prediction["price"], delta=prediction["price"] * 1e-9)
        self.assertLess(prediction["interval"]["low"], prediction["price"])
        self.assertGreater(prediction["interval"]["high"], prediction["price"])
        many = self.client.predict("py-linear", [stone(r) for r in self.rows[:5]])
        self.assertEqual(len(many["predictions"]), 5)
        self.assertEqual(many["predictions"][0]["price"], prediction["price"])

    def test_a_retrain_is_a_version_and_rollback_brings_back_the_last(self):
        body = {"selector": ["carat", "cut"], "positive": True}
        self.client.train("py-versions", "py-reference", hyperparameters=body)
        first = self.client.predict("py-versions", stone(self.rows[0]))["predictions"][0]["price"]
        self.client.train("py-versions", "py-reference", hyperparameters=dict(body, selector=["carat"]))
        versions = self.client.model_versions("py-versions")
        self.assertEqual([v["version"] for v in versions], [2, 1])
        self.assertTrue(versions[0]["champion"])
        model = self.client.rollback("py-versions", reason="carat alone is too coarse")
        self.assertEqual(model["version"], 1)
        answer = self.client.predict("py-versions", stone(self.rows[0]))
        self.assertEqual(answer["model_version"], 1)
        self.assertEqual(answer["predictions"][0]["price"], first)
        moves = self.client.alias_history("py-versions")
        self.assertEqual((moves[0]["from_version"], moves[0]["to_version"]), (2, 1))
        self.assertEqual(moves[0]["reason"], "carat alone is too coarse")
        card = self.client.model_card("py-versions", 1)
        self.assertEqual(card["model"]["version"], 1)
        self.assertIn("carat", card["data"]["ranges"])
        self.assertTrue(self.client.model_card("py-versions", 1, markdown=True).startswith("# Model card: py-versions, version 1"))
        self.client.set_alias("py-versions", "challenger", 2)
        self.assertEqual(self.client.predict("py-versions", stone(self.rows[0]), alias="challenger")["model_version"], 2)
        self.assertEqual(self.client.predict("py-versions", stone(self.rows[0]), version=1)["model_version"], 1)
        reproduction = self.client.reproduce("py-versions", 2)
        self.assertTrue(reproduction["identical"], reproduction)
        with self.assertRaises(ApiError) as refused:
            self.client.delete_model_version("py-versions", 2)   # the challenger alias keeps it
        self.assertEqual(refused.exception.status, 409)

    def test_the_original_services_price_query(self):
        batches = [[stone(r) for r in self.rows[i:i + 700]] for i in range(0, 1400, 700)]
        prices = self.client.price_query("py-linear", batches)
        self.assertEqual(len(prices), 1400)
        direct = self.client.predict("py-linear", batches[1][:3])["predictions"]
        self.assertEqual(prices[700:703], [p["price"] for p in direct])

    def test_upload_in_parts_and_batch_prediction(self):
        with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
            f.write(self.csv_text)
            path = f.name
        try:
            upload = self.client.upload_file("py-uploaded", path, part_bytes=50000)
        finally:
            os.unlink(path)
        self.assertEqual(upload["state"], "completed")
        uploaded = self.client.get_dataset("py-uploaded")
        self.assertEqual(uploaded["sha256"], self.client.get_dataset("py-reference")["sha256"])
        priced = self.client.batch_predict("py-linear", "py-uploaded").decode()
        lines = priced.strip().split("\n")
        self.assertIn("price_predicted", lines[0])
        first = dict(zip(lines[0].split(","), lines[1].split(",")))
        direct = self.client.predict("py-linear", stone(self.rows[0]))["predictions"][0]["price"]
        self.assertAlmostEqual(float(first["price_predicted"]), direct, delta=0.01)

    def test_a_wrong_key_is_refused(self):
        stranger = DiamondClient(self.client.base_url[:-len("/v1")], "dmd_not_a_key", retries=0)
        with self.assertRaises(ApiError) as caught:
            stranger.me()
        self.assertEqual(caught.exception.status, 401)
        self.assertEqual(caught.exception.type, "/problems/unauthorized")


if __name__ == "__main__":
    unittest.main(verbosity=2)
