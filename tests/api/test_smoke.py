def test_world_builds(client, world):
    answer = client.get(f"/api/v1/processes/{world.process}", headers=world.facilitator.auth)
    assert answer.status_code == 200
    body = answer.json()
    assert [m["title"] for m in body["meetings"]] == ["Primo incontro"]
    assert {o["kind"] for o in body["organizations"]} == {"public", "health", "third_sector"}
