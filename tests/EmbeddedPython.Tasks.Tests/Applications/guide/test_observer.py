from ompy.appmanager.observer import read_json_from_observer

message = read_json_from_observer(timeout=20)
print("observer said", message["say"], "x", message["times"])
