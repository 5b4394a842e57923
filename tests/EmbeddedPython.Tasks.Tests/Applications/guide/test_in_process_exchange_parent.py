from ompy.appmanager.communication import run_am_script, wait_for_socket_from_web

child_pid = run_am_script('test_in_process_exchange_child.py', {'factorial': 6})
soc = wait_for_socket_from_web(timeout=10)
message = soc.sync_read_text_message()
soc.sync_send_text_message("thanks")
print(f"Factorial from child: {message}")
soc.sync_close()
