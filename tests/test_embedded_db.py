from apps.core.embedded_db import _repair_handle_list


def test_an_empty_handle_list_left_by_a_killed_process_is_reset(tmp_path):
    handles = tmp_path / ".handle_pids.json"
    handles.write_text("")
    _repair_handle_list(tmp_path)
    assert handles.read_text() == "[]"


def test_a_valid_handle_list_is_left_alone(tmp_path):
    handles = tmp_path / ".handle_pids.json"
    handles.write_text("[123, 456]")
    _repair_handle_list(tmp_path)
    assert handles.read_text() == "[123, 456]"


def test_stop_server_without_a_running_server_says_so(tmp_path):
    from apps.core.embedded_db import stop_server

    assert stop_server(tmp_path) is False
