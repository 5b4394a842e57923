from ompy.appmanager.communication import run_am_script, wait_for_socket_from_web
from ompy.appmanager.observer import read_json_from_observer

child_pid = run_am_script('test_data_exchange_child.py', {'factorial': 5})
soc = wait_for_socket_from_web()
message = soc.sync_read_text_message()
print(f"Factorial from child {child_pid}: {message}")
soc.sync_close()
