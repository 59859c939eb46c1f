# The city's planner language: sentences a .dslr rule may use (with "expander city.dsl").
# Conditions name a node first ("a board", "a VM", "a node"); lines starting with "-" narrow it down.
# In every consequence "it" is that node.
[when]a board=$node : Node( kind == "BOARD" )
[when]a VM=$node : Node( kind == "VM" )
[when]a node=$node : Node( )
[when]- in district "{district}"=district == "{district}"
[when]- with no district=district == ""
[when]- with an air-quality sensor=( sensors contains "pm25" || sensors contains "no2" )
[when]- with an? "{sensor}" sensor=sensors contains "{sensor}"
[when]- running service "{service}"=services contains "{service}"
[when]- labelled "{key}" as "{value}"=label("{key}") == "{value}"
[when]- that reports tampering=tampered == true
[when]- whose agent is older than "{version}"=agentOlderThan("{version}") == true
[when]- whose reported protocol is below {protocol}=protocolVersion > 0, protocolVersion < {protocol}
[when]- that is online=status == "ONLINE"
[when]its latest "{sensor}" reading is above {limit}=SensorReading( nodeId == $node.id, sensor == "{sensor}", value > {limit} )
[when]its latest "{sensor}" reading is below {limit}=SensorReading( nodeId == $node.id, sensor == "{sensor}", value < {limit} )
[when]always=eval( true )
[then]join it to overlay "{overlay}"=insertLogical(new OverlayMembership($node.getId(), "{overlay}"));
[then]sample its "{sensor}" sensor every {seconds} seconds=insertLogical(new SamplingPlan($node.getId(), "{sensor}", {seconds} * 1000L));
[then]expose its service "{service}"=insertLogical(new ServiceExposure($node.getId(), "{service}"));
[then]raise an? {severity} alert "{text}"=insertLogical(new Alert("{severity}", $node.getId(), "{text}"));
[then]quarantine it because "{reason}"=insertLogical(new Quarantine($node.getId(), "{reason}"));
[then]overlays "{a}" and "{b}" must never share a node=insertLogical(new OverlayConflict("{a}", "{b}"));
